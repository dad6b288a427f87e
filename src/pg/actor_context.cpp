#include "pg/actor_context.h"

#include <algorithm>
#include <type_traits>

namespace agentauthz::pg {

namespace {

// What a savepoint must restore if it rolls back.
struct Undo {
  SubTransactionId subxact;
  bool had_pending;
  ActorContext pending;
  bool promote;
};

// The transaction callbacks below run where an exception must not escape
// and an error must not be raised: they only move and destroy contexts,
// which cannot throw.
static_assert(std::is_nothrow_move_assignable_v<ActorContext>);

ActorContext session_context;     // survives transactions
ActorContext pending_context;     // set in this transaction
bool has_pending = false;
bool promote_pending = false;     // becomes the session's at commit
std::vector<Undo> undo_stack;
uint64_t generation = 1;

const ActorContext kNobody;

void forget_transaction() noexcept {
  // Unchanged by the transaction, the context stays what it was: an actor
  // derived from it may be kept.
  if (!has_pending && undo_stack.empty()) return;
  has_pending = false;
  promote_pending = false;
  pending_context = ActorContext();
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
      if (has_pending && promote_pending)
        ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                        errmsg("cannot PREPARE a transaction that changed the agentauthz actor context of the session"),
                        errhint("Use act_for() or set_subject() with local => true in a transaction that is "
                                "prepared, or change the context outside it.")));
      break;
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
      if (has_pending && promote_pending) session_context = std::move(pending_context);
      forget_transaction();
      break;
    case XACT_EVENT_PREPARE:
      // Only local contexts can reach here: they end with the transaction.
      forget_transaction();
      break;
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
    has_pending = first->had_pending;
    pending_context = std::move(first->pending);
    promote_pending = first->promote;
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
  undo_stack.push_back(Undo{subxact, has_pending, pending_context, promote_pending});
}

}  // namespace

const ActorContext& explicit_context() {
  if (has_pending) return pending_context;
  return session_context.kind == ActorContext::Kind::None ? kNobody : session_context;
}

void set_context(const ActorContext& context) {
  remember_for_rollback();
  pending_context = context;
  has_pending = true;
  promote_pending = !context.local;
  // A local context set after a session one ends with the transaction; the
  // session one resumes afterwards.
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

void register_context_callbacks() {
  RegisterXactCallback(xact_callback, nullptr);
  RegisterSubXactCallback(subxact_callback, nullptr);
}

}  // namespace agentauthz::pg
