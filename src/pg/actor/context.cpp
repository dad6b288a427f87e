#include "pg/actor/context.h"

#include <algorithm>
#include <type_traits>

namespace agentauthz::pg {

namespace {

// What the current transaction changed: the session's context from its
// commit on (act_for(..., false), end_task), and a context for this
// transaction only, in force over the session's (act_for(...)). A later
// session-wide change also ends the transaction's local one.
struct Pending {
  bool session_changed = false;
  ActorContext session;
  bool local_set = false;
  ActorContext local;
  bool any() const { return session_changed || local_set; }
};

// What a savepoint must restore if it rolls back.
struct Undo {
  SubTransactionId subxact;
  Pending pending;
};

// The transaction callbacks below run where an exception must not escape
// and an error must not be raised: they only move and destroy contexts,
// which cannot throw.
static_assert(std::is_nothrow_move_assignable_v<ActorContext>);
static_assert(std::is_nothrow_move_assignable_v<Pending>);

ActorContext session_context;  // survives transactions
Pending pending;               // this transaction's changes
std::vector<Undo> undo_stack;
uint64_t generation = 1;

const ActorContext kNobody;

void forget_transaction() noexcept {
  // Unchanged by the transaction, the context stays what it was: an actor
  // derived from it may be kept.
  if (!pending.any() && undo_stack.empty()) return;
  pending = Pending();
  undo_stack.clear();
  ++generation;
}

void xact_callback(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_PRE_PREPARE:
      // A prepared transaction is finished elsewhere, later, or rolled back
      // (ROLLBACK PREPARED) after this session has moved on: a session
      // context it set could be neither kept nor undone at the right time.
      // Refused, as PostgreSQL refuses to prepare temporary objects.
      if (pending.session_changed)
        ereport(
            ERROR,
            (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
             errmsg("cannot PREPARE a transaction that changed the agentauthz actor context of the "
                    "session"),
             errhint("Use act_for() or set_subject() with local => true in a transaction that is "
                     "prepared, or change the context outside it.")));
      break;
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
      if (pending.session_changed) session_context = std::move(pending.session);
      forget_transaction();
      break;
    // Only local contexts can reach PREPARE: they end with the transaction.
    case XACT_EVENT_PREPARE:
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
      forget_transaction();
      break;
    default:
      break;
  }
}

void subxact_callback(SubXactEvent event, SubTransactionId subid, SubTransactionId parent, void*) {
  if (event == SUBXACT_EVENT_ABORT_SUB) {
    // Restore what the context was before the savepoint's first change
    // (undo records are in savepoint order).
    auto first = std::find_if(undo_stack.begin(), undo_stack.end(),
                              [&](const Undo& undo) { return undo.subxact >= subid; });
    if (first == undo_stack.end()) return;
    pending = std::move(first->pending);
    undo_stack.erase(first, undo_stack.end());
    ++generation;
  } else if (event == SUBXACT_EVENT_COMMIT_SUB) {
    // The parent now owns the changes; its own earlier record, if any, is
    // the one a rollback of the parent must restore.
    bool parent_recorded = std::any_of(undo_stack.begin(), undo_stack.end(),
                                       [&](const Undo& undo) { return undo.subxact == parent; });
    for (auto it = undo_stack.begin(); it != undo_stack.end();) {
      if (it->subxact != subid) {
        ++it;
      } else if (parent_recorded) {
        it = undo_stack.erase(it);
      } else {
        it->subxact = parent;
        parent_recorded = true;
        ++it;
      }
    }
  }
}

// Records, once per savepoint, what a rollback to it must restore.
void remember_for_rollback() {
  SubTransactionId subxact = GetCurrentSubTransactionId();
  if (subxact == TopSubTransactionId) return;  // the whole transaction: forget_transaction
  if (!undo_stack.empty() && undo_stack.back().subxact == subxact) return;
  undo_stack.push_back(Undo{subxact, pending});
}

}  // namespace

const ActorContext& explicit_context() {
  if (pending.local_set) return pending.local;
  const ActorContext& session = pending.session_changed ? pending.session : session_context;
  return session.kind == ActorContext::Kind::None ? kNobody : session;
}

void set_context(const ActorContext& context) {
  remember_for_rollback();
  if (context.local) {
    // Over the session's context, for this transaction; the session's
    // (as this transaction leaves it) resumes after it.
    pending.local = context;
    pending.local_set = true;
  } else {
    pending.session = context;
    pending.session_changed = true;
    pending.local = ActorContext();
    pending.local_set = false;
  }
  ++generation;
}

void clear_context() {
  ActorContext nobody;
  nobody.local = false;
  set_context(nobody);
}

void discard_context() {
  session_context = ActorContext();
  forget_transaction();
  ++generation;
}

uint64_t context_generation() { return generation; }

static ProcessUtility_hook_type prev_process_utility = nullptr;

// DISCARD ALL resets a pooled connection for its next client: the actor
// context must not survive it.
static void context_process_utility(PlannedStmt* pstmt, const char* query_string,
                                    bool read_only_tree, ProcessUtilityContext context,
                                    ParamListInfo params, QueryEnvironment* query_env,
                                    DestReceiver* dest, QueryCompletion* qc) {
  if (IsA(pstmt->utilityStmt, DiscardStmt) &&
      reinterpret_cast<DiscardStmt*>(pstmt->utilityStmt)->target == DISCARD_ALL)
    discard_context();
  if (prev_process_utility)
    prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
  else
    standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest,
                            qc);
}

void register_context_callbacks() {
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = context_process_utility;
  RegisterXactCallback(xact_callback, nullptr);
  RegisterSubXactCallback(subxact_callback, nullptr);
}

}  // namespace agentauthz::pg
