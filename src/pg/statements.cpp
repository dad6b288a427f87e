#include "pg/statements.h"

#include "pg/pg_headers.h"

namespace agentauthz::pg {

namespace {

uint64_t serial = 1;
ExecutorStart_hook_type prev_executor_start = nullptr;
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

static void agentauthz_count_utility(PlannedStmt* pstmt, const char* query_string, bool read_only_tree,
                                     ProcessUtilityContext context, ParamListInfo params,
                                     QueryEnvironment* query_env, DestReceiver* dest, QueryCompletion* qc) {
  ++agentauthz::pg::serial;
  if (agentauthz::pg::prev_process_utility)
    agentauthz::pg::prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env,
                                         dest, qc);
  else
    standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
}

}  // extern "C"

namespace agentauthz::pg {

void register_statement_hooks() {
  prev_executor_start = ExecutorStart_hook;
  ExecutorStart_hook = agentauthz_count_executor_start;
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = agentauthz_count_utility;
}

}  // namespace agentauthz::pg
