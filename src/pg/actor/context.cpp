#include "pg/actor/context.h"

#include "pg/actor/session_values.h"
#include "pg/actor/transaction_scoped.h"

namespace agentauthz::pg {

namespace {

TransactionScoped<ActorContext> contexts;

const ActorContext kNobody;

void xact_callback(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_PRE_PREPARE:
      // A prepared transaction is finished elsewhere, later, or rolled back
      // (ROLLBACK PREPARED) after this session has moved on: a session
      // context (or set_context values) it set could be neither kept nor
      // undone at the right time.
      // Refused, as PostgreSQL refuses to prepare temporary objects.
      if (contexts.session_changed())
        ereport(
            ERROR,
            (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
             errmsg("cannot PREPARE a transaction that changed the agentauthz actor context of the "
                    "session"),
             errhint("Use act_for() or set_subject() with local => true in a transaction that is "
                     "prepared, or change the context outside it.")));
      if (session_values_changed())
        ereport(ERROR,
                (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                 errmsg("cannot PREPARE a transaction that changed the agentauthz condition "
                        "context of the session"),
                 errhint("Use set_context() with local => true in a transaction that is prepared, "
                         "or change the context outside it.")));
      break;
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
      contexts.on_commit();
      break;
    // Only local contexts can reach PREPARE: they end with the transaction.
    case XACT_EVENT_PREPARE:
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
      contexts.on_abort();
      break;
    default:
      break;
  }
}

void subxact_callback(SubXactEvent event, SubTransactionId subid, SubTransactionId parent, void*) {
  contexts.on_subtransaction(event, subid, parent);
}

}  // namespace

const ActorContext& explicit_context() {
  const ActorContext& context = contexts.current();
  return context.kind == ActorContext::Kind::None ? kNobody : context;
}

void set_context(const ActorContext& context) { contexts.set(context, context.local); }

void clear_context() {
  ActorContext nobody;
  nobody.local = false;
  set_context(nobody);
}

void discard_context() { contexts.discard(); }

uint64_t context_generation() { return contexts.generation(); }

static ProcessUtility_hook_type prev_process_utility = nullptr;

// DISCARD ALL resets a pooled connection for its next client: the actor
// context and the session's condition values must not survive it.
static void context_process_utility(PlannedStmt* pstmt, const char* query_string,
                                    bool read_only_tree, ProcessUtilityContext context,
                                    ParamListInfo params, QueryEnvironment* query_env,
                                    DestReceiver* dest, QueryCompletion* qc) {
  if (IsA(pstmt->utilityStmt, DiscardStmt) &&
      reinterpret_cast<DiscardStmt*>(pstmt->utilityStmt)->target == DISCARD_ALL) {
    discard_context();
    discard_session_values();
  }
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
  register_session_values_callbacks();
}

}  // namespace agentauthz::pg
