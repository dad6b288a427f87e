// When statements and transactions end, as the audit needs to know: the
// executor and utility hooks find the end of each top-level statement, the
// transaction callback commits and aborts, and an exit callback a backend
// leaving in the middle of one.
#include "pg/audit/audit.h"
#include "pg/common/guard.h"

namespace agentauthz::pg::audit {

namespace {

int executor_depth = 0;  // statements running inside the current top-level one
ExecutorRun_hook_type prev_executor_run = nullptr;
ExecutorFinish_hook_type prev_executor_finish = nullptr;
ExecutorEnd_hook_type prev_executor_end = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;

void top_level_statement_ended() {
  if (executor_depth == 0) call_guarded([](void*) { statement_finished(); }, nullptr);
}

void xact_callback(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_PRE_COMMIT:
      call_guarded([](void*) { transaction_finished(true, false); }, nullptr);
      break;
    case XACT_EVENT_COMMIT:
      transaction_committed();
      break;
    case XACT_EVENT_PRE_PREPARE:
      call_guarded([](void*) { transaction_preparing(); }, nullptr);
      break;
    case XACT_EVENT_ABORT:
      executor_depth = 0;
      transaction_aborted(false);
      break;
    default:
      break;
  }
}

void at_exit(int, Datum) { transaction_aborted(true); }
bool exit_hook_registered = false;

}  // namespace

}  // namespace agentauthz::pg::audit

extern "C" {

static void agentauthz_executor_run(QueryDesc* query, ScanDirection direction, uint64 count,
                                    bool execute_once) {
  using namespace agentauthz::pg::audit;
  ++executor_depth;
  PG_TRY();
  {
    if (prev_executor_run)
      prev_executor_run(query, direction, count, execute_once);
    else
      standard_ExecutorRun(query, direction, count, execute_once);
  }
  PG_FINALLY();
  { --executor_depth; }
  PG_END_TRY();
}

static void agentauthz_executor_finish(QueryDesc* query) {
  using namespace agentauthz::pg::audit;
  ++executor_depth;
  PG_TRY();
  {
    if (prev_executor_finish)
      prev_executor_finish(query);
    else
      standard_ExecutorFinish(query);
  }
  PG_FINALLY();
  { --executor_depth; }
  PG_END_TRY();
}

static void agentauthz_executor_end(QueryDesc* query) {
  using namespace agentauthz::pg::audit;
  if (prev_executor_end)
    prev_executor_end(query);
  else
    standard_ExecutorEnd(query);
  top_level_statement_ended();
}

static void agentauthz_audit_utility(PlannedStmt* pstmt, const char* query_string,
                                     bool read_only_tree, ProcessUtilityContext context,
                                     ParamListInfo params, QueryEnvironment* query_env,
                                     DestReceiver* dest, QueryCompletion* qc) {
  using namespace agentauthz::pg::audit;
  ++executor_depth;
  PG_TRY();
  {
    if (prev_process_utility)
      prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest,
                           qc);
    else
      standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest,
                              qc);
  }
  PG_FINALLY();
  { --executor_depth; }
  PG_END_TRY();
  top_level_statement_ended();
}

}  // extern "C"

namespace agentauthz::pg::audit {

void register_hooks() {
  prev_executor_run = ExecutorRun_hook;
  ExecutorRun_hook = agentauthz_executor_run;
  prev_executor_finish = ExecutorFinish_hook;
  ExecutorFinish_hook = agentauthz_executor_finish;
  prev_executor_end = ExecutorEnd_hook;
  ExecutorEnd_hook = agentauthz_executor_end;
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = agentauthz_audit_utility;
  RegisterXactCallback(xact_callback, nullptr);
  // An exit callback registered while preloading would be the postmaster's,
  // and every backend forgets those when it starts (on_exit_reset).
  if (!process_shared_preload_libraries_in_progress) register_exit_hook();
}

void register_exit_hook() {
  if (exit_hook_registered) return;
  before_shmem_exit(at_exit, 0);
  exit_hook_registered = true;
}

}  // namespace agentauthz::pg::audit
