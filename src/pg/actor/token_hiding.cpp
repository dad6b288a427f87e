#include "pg/actor/token_hiding.h"

#include <algorithm>
#include <string_view>

#include "core/token_redaction.h"
#include "pg/common/pg_headers.h"

extern "C" {
#include "parser/analyze.h"
#include "tcop/tcopprot.h"
#include "utils/backend_status.h"
}

namespace agentauthz::pg {

namespace {

emit_log_hook_type prev_emit_log = nullptr;
post_parse_analyze_hook_type prev_post_parse_analyze = nullptr;
ExecutorStart_hook_type prev_executor_start = nullptr;
ExecutorRun_hook_type prev_executor_run = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;

// Holds the redacted copy of the current statement that debug_query_string
// points to; emptied when a later statement needs a copy of its own.
MemoryContext statement_copy_context = nullptr;
const char* statement_copy = nullptr;

// st_changecount of this backend's activity entry when last looked at.
int activity_seen = -1;
// Where the redacted activity is written first: allocated once, so that
// redacting it needs no memory (it also runs inside error reporting).
char* activity_buffer = nullptr;
size_t activity_capacity = 0;
constexpr char kHiddenActivity[] = "<agentauthz: a statement holding a token>";

// A redacted copy of `text` in `context`, or nullptr when out of memory.
// Never raises an error.
char* redacted_copy(MemoryContext context, std::string_view text) {
  size_t length = core::redacted_length(text);
  void* copy = MemoryContextAllocExtended(context, length + 1, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
  if (copy == nullptr) return nullptr;
  char* out = static_cast<char*>(copy);
  out[core::write_redacted(text, out)] = '\0';
  return out;
}

// Redacts one text of an error report in place of the original; without
// memory for the copy, cuts the original before its first secret.
void redact_field(ErrorData* edata, char** field) {
  if (*field == nullptr) return;
  std::string_view text(*field);
  if (!core::holds_token(text)) return;
  MemoryContext context = edata->assoc_context ? edata->assoc_context : CurrentMemoryContext;
  char* copy = redacted_copy(context, text);
  if (copy == nullptr) {
    (*field)[core::first_secret_offset(text)] = '\0';
    return;
  }
  pfree(*field);  // palloc'd in the same context, as errfinish expects
  *field = copy;
}

// Points debug_query_string -- the statement printed with a message
// (STATEMENT: lines, csvlog's and jsonlog's statement field, what a
// parallel worker is handed) -- at a redacted copy for the rest of the
// statement; without memory for it, the statement is left out of this
// message.
void redact_statement(ErrorData* edata) {
  const char* statement = debug_query_string;
  if (statement == nullptr || statement == statement_copy) return;
  std::string_view text(statement);
  if (!core::holds_token(text)) return;
  // debug_query_string has moved on from the last copy: nothing else
  // points to it.
  MemoryContextReset(statement_copy_context);
  statement_copy = redacted_copy(statement_copy_context, text);
  if (statement_copy == nullptr) {
    edata->hide_stmt = true;
    return;
  }
  debug_query_string = statement_copy;
}

}  // namespace

void hide_tokens_in_activity() noexcept {
  volatile PgBackendStatus* entry = MyBEEntry;
  if (entry == nullptr || !pgstat_track_activities || entry->st_changecount == activity_seen)
    return;
  // This backend is the entry's only writer: it reads its own text freely.
  const char* raw = const_cast<const char*>(entry->st_activity_raw);
  std::string_view text(raw, strnlen(raw, pgstat_track_activity_query_size));
  if (core::holds_token(text)) {
    std::string_view shown(kHiddenActivity);
    if (activity_buffer != nullptr && core::redacted_length(text) <= activity_capacity)
      shown = std::string_view(activity_buffer, core::write_redacted(text, activity_buffer));
    size_t length =
        std::min<size_t>(shown.size(), static_cast<size_t>(pgstat_track_activity_query_size - 1));
    // Readers copy the entry and retry while st_changecount moves
    // (backend_status.c): write it as pgstat_report_activity does.
    PGSTAT_BEGIN_WRITE_ACTIVITY(entry);
    memcpy(const_cast<char*>(entry->st_activity_raw), shown.data(), length);
    entry->st_activity_raw[length] = '\0';
    PGSTAT_END_WRITE_ACTIVITY(entry);
  }
  activity_seen = entry->st_changecount;
}

}  // namespace agentauthz::pg

extern "C" {

// Runs inside error reporting, for every message bound for the server log:
// it raises no error and lets no exception out (core::token_redaction
// neither allocates nor throws).
static void agentauthz_hide_tokens_in_log(ErrorData* edata) {
  using agentauthz::pg::redact_field;
  redact_field(edata, &edata->message);
  redact_field(edata, &edata->detail);
  redact_field(edata, &edata->detail_log);
  redact_field(edata, &edata->hint);
  redact_field(edata, &edata->context);
  redact_field(edata, &edata->internalquery);
  agentauthz::pg::redact_statement(edata);
  // A statement that fails before any other hook runs (in the raw parser,
  // in an aborted transaction, in parse analysis) stays the session's
  // activity while it is idle: redacted here too.
  if (edata->elevel >= ERROR) agentauthz::pg::hide_tokens_in_activity();
  if (agentauthz::pg::prev_emit_log) agentauthz::pg::prev_emit_log(edata);
}

// pg_stat_activity shows a statement from its start; it is redacted as soon
// as a hook runs: after parse analysis, and for a prepared statement's
// Bind/Execute (which report its text again) when it starts or resumes.

static void agentauthz_hide_tokens_after_analysis(ParseState* pstate, Query* query,
                                                  JumbleState* jstate) {
  agentauthz::pg::hide_tokens_in_activity();
  if (agentauthz::pg::prev_post_parse_analyze)
    agentauthz::pg::prev_post_parse_analyze(pstate, query, jstate);
}

static void agentauthz_hide_tokens_at_start(QueryDesc* query, int eflags) {
  agentauthz::pg::hide_tokens_in_activity();
  if (agentauthz::pg::prev_executor_start)
    agentauthz::pg::prev_executor_start(query, eflags);
  else
    standard_ExecutorStart(query, eflags);
}

static void agentauthz_hide_tokens_at_run(QueryDesc* query, ScanDirection direction, uint64 count,
                                          bool execute_once) {
  agentauthz::pg::hide_tokens_in_activity();
  if (agentauthz::pg::prev_executor_run)
    agentauthz::pg::prev_executor_run(query, direction, count, execute_once);
  else
    standard_ExecutorRun(query, direction, count, execute_once);
}

static void agentauthz_hide_tokens_at_utility(PlannedStmt* pstmt, const char* query_string,
                                              bool read_only_tree, ProcessUtilityContext context,
                                              ParamListInfo params, QueryEnvironment* query_env,
                                              DestReceiver* dest, QueryCompletion* qc) {
  agentauthz::pg::hide_tokens_in_activity();
  if (agentauthz::pg::prev_process_utility)
    agentauthz::pg::prev_process_utility(pstmt, query_string, read_only_tree, context, params,
                                         query_env, dest, qc);
  else
    standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest,
                            qc);
}

}  // extern "C"

namespace agentauthz::pg {

void register_token_hiding() {
  statement_copy_context = AllocSetContextCreate(TopMemoryContext, "agentauthz redacted statement",
                                                 ALLOCSET_SMALL_SIZES);
  activity_capacity = static_cast<size_t>(pgstat_track_activity_query_size);
  activity_buffer = static_cast<char*>(MemoryContextAlloc(TopMemoryContext, activity_capacity));
  prev_emit_log = emit_log_hook;
  emit_log_hook = agentauthz_hide_tokens_in_log;
  prev_post_parse_analyze = post_parse_analyze_hook;
  post_parse_analyze_hook = agentauthz_hide_tokens_after_analysis;
  prev_executor_start = ExecutorStart_hook;
  ExecutorStart_hook = agentauthz_hide_tokens_at_start;
  prev_executor_run = ExecutorRun_hook;
  ExecutorRun_hook = agentauthz_hide_tokens_at_run;
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = agentauthz_hide_tokens_at_utility;
}

}  // namespace agentauthz::pg
