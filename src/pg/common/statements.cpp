#include "pg/common/statements.h"

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

namespace {

uint64_t serial = 1;
ExecutorStart_hook_type prev_executor_start = nullptr;
ExecutorRun_hook_type prev_executor_run = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;

}  // namespace

uint64_t statement_serial() { return serial; }

}  // namespace agentauthz::pg

extern "C" {

static void agentauthz_count_executor_start(QueryDesc* query, int eflags) {
  ++agentauthz::pg::serial;
  if (agentauthz::pg::prev_executor_start)
    agentauthz::pg::prev_executor_start(query, eflags);
  else
    standard_ExecutorStart(query, eflags);
}

static void agentauthz_count_executor_run(QueryDesc* query, ScanDirection direction, uint64 count,
                                          bool execute_once) {
  ++agentauthz::pg::serial;
  if (agentauthz::pg::prev_executor_run)
    agentauthz::pg::prev_executor_run(query, direction, count, execute_once);
  else
    standard_ExecutorRun(query, direction, count, execute_once);
}

static void agentauthz_count_utility(PlannedStmt* pstmt, const char* query_string,
                                     bool read_only_tree, ProcessUtilityContext context,
                                     ParamListInfo params, QueryEnvironment* query_env,
                                     DestReceiver* dest, QueryCompletion* qc) {
  ++agentauthz::pg::serial;
  if (agentauthz::pg::prev_process_utility)
    agentauthz::pg::prev_process_utility(pstmt, query_string, read_only_tree, context, params,
                                         query_env, dest, qc);
  else
    standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest,
                            qc);
}

}  // extern "C"

namespace agentauthz::pg {

void register_statement_hooks() {
  prev_executor_start = ExecutorStart_hook;
  ExecutorStart_hook = agentauthz_count_executor_start;
  prev_executor_run = ExecutorRun_hook;
  ExecutorRun_hook = agentauthz_count_executor_run;
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = agentauthz_count_utility;
}

}  // namespace agentauthz::pg
