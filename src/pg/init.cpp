// Library initialisation: settings, callbacks and hooks.
#include "pg/actor/active_actor.h"
#include "pg/actor/agent_roles.h"
#include "pg/actor/context.h"
#include "pg/actor/token_hiding.h"
#include "pg/audit/audit.h"
#include "pg/audit/queue.h"
#include "pg/catalog/relations.h"
#include "pg/common/guard.h"
#include "pg/common/prepare_refusal.h"
#include "pg/common/statements.h"
#include "pg/engine/scan_session.h"
#include "pg/engine/shared_cache.h"
#include "pg/engine/writer_marks.h"
#include "pg/settings.h"

extern "C" {
#include "utils/queryjumble.h"
}

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}

namespace agentauthz::pg {

int max_depth_setting = 25;
int max_delegation_depth_setting = 3;
int max_delegation_scopes_setting = 100;
int max_delegation_purpose_bytes_setting = 1000;
int max_delegation_tree_links_setting = 1000;
int delegation_retention_setting = 90 * 24 * 60;
bool session_contexts_setting = true;
int engine_cache_mb_setting = 64;
bool shared_cache_setting = true;
int shared_cache_mb_setting = 64;
int audit_queue_kb_setting = 1024;
int audit_databases_setting = 8;
int audit_writers_setting = 2;
int audit_backend_share_setting = 25;

namespace {

const config_enum_entry audit_levels[] = {
    {"off", audit::kOff, false},
    {"denied", audit::kDenied, false},
    {"summary", audit::kSummary, false},
    {"all", audit::kAll, false},
    {nullptr, 0, false},
};

// Defines the settings that size shared memory at server start: the audit
// queues' and the shared cache's.
void define_queue_settings() {
  DefineCustomIntVariable(
      "agentauthz.shared_cache_size",
      "Shared memory for the tuples every backend reads from the shared cache (0 turns it off).",
      "Its index takes an eighth more. When full, the oldest entries make room for new ones.",
      &shared_cache_mb_setting, 64, 0, 1024 * 1024, PGC_POSTMASTER, GUC_UNIT_MB, nullptr, nullptr,
      nullptr);
  DefineCustomIntVariable("agentauthz.audit_queue_size",
                          "Size of each database's shared-memory audit queue.", nullptr,
                          &audit_queue_kb_setting, 1024, 64, 1024 * 1024, PGC_POSTMASTER,
                          GUC_UNIT_KB, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("agentauthz.audit_databases",
                          "How many databases can have an audit queue (and a writer) at once.",
                          nullptr, &audit_databases_setting, 8, 1, 64, PGC_POSTMASTER, 0, nullptr,
                          nullptr, nullptr);
  DefineCustomIntVariable(
      "agentauthz.audit_writers",
      "How many audit writers (background workers) the server keeps for the audit queues.",
      "They are registered at server start, so no other process can take their places; each serves "
      "one "
      "database at a time. max_worker_processes must cover them.",
      &audit_writers_setting, 2, 1, 64, PGC_POSTMASTER, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable("agentauthz.audit_backend_share",
                          "The percentage of its database's audit queue one backend may fill.",
                          "A backend with more queued waits for the writer, so that one actor "
                          "cannot crowd out the records of "
                          "others.",
                          &audit_backend_share_setting, 25, 1, 100, PGC_SIGHUP, 0, nullptr, nullptr,
                          nullptr);
}

// What one delegation link may hold, and how many links one delegation may
// have below it: whoever holds a token can call subdelegate(), so these
// bound what a token lets its holder store. Superuser-only, so that an
// agent cannot raise them for itself.
void define_delegation_settings() {
  DefineCustomIntVariable("agentauthz.max_delegation_scopes",
                          "Maximum number of scope entries in one delegation link.", nullptr,
                          &max_delegation_scopes_setting, 100, 1, 100000, PGC_SUSET, 0, nullptr,
                          nullptr, nullptr);
  DefineCustomIntVariable("agentauthz.max_delegation_purpose_bytes",
                          "Maximum length of a delegation's purpose, in bytes.", nullptr,
                          &max_delegation_purpose_bytes_setting, 1000, 1, 1024 * 1024, PGC_SUSET,
                          GUC_UNIT_BYTE, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "agentauthz.max_delegation_tree_links",
      "Maximum number of links below one delegation (its sub-delegations, theirs, ...).",
      "Ended links count until purge_delegations() removes them.",
      &max_delegation_tree_links_setting, 1000, 1, 1000000, PGC_SUSET, 0, nullptr, nullptr,
      nullptr);
  DefineCustomIntVariable(
      "agentauthz.delegation_retention",
      "How long purge_delegations() keeps links after they expired or were revoked, by default.",
      nullptr, &delegation_retention_setting, 90 * 24 * 60, 0, INT_MAX, PGC_SUSET, GUC_UNIT_MIN,
      nullptr, nullptr, nullptr);
}

}  // namespace

// Defines every agentauthz.* setting.
void define_settings() {
  DefineCustomIntVariable("agentauthz.max_depth",
                          "Maximum number of rewrite and tuple hops a single check may follow.",
                          "Deeper resolutions raise an ERROR (SQLSTATE 54001), as OpenFGA does; "
                          "cycles simply yield false.",
                          &max_depth_setting, 25, 1, 512, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "agentauthz.max_delegation_depth",
      "Maximum number of links in a delegation chain (a delegation and its sub-delegations).",
      nullptr, &max_delegation_depth_setting, 3, 1, 16, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  define_delegation_settings();
  // Superuser-only: a session that could raise it could grow its backend
  // without bound again (or, lowered, make every check start from nothing).
  DefineCustomIntVariable(
      "agentauthz.engine_cache_size", "Memory the engine's caches may hold in one backend.",
      "Tuples read, interned ids, check results and allowed sets; a check that finds them above it "
      "starts them over, "
      "also within a statement. A quarter of it is carried from one statement to the next.",
      &engine_cache_mb_setting, 64, 1, 1024 * 1024, PGC_SUSET, GUC_UNIT_MB, nullptr, nullptr,
      nullptr);
  DefineCustomBoolVariable(
      "agentauthz.shared_cache", "Whether this session reads and fills the shared cache.",
      "Off, every lookup the session's own caches miss reads the indexes (the shared cache's size "
      "is agentauthz.shared_cache_size).",
      &shared_cache_setting, true, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomBoolVariable("agentauthz.session_contexts",
                           "Whether act_for() and set_subject() may set a context for the whole "
                           "session (local => false).",
                           "Turn it off (set_session_contexts) for roles that connect through a "
                           "transaction-pooling proxy, whose "
                           "server connections pass from one client to the next: their contexts "
                           "then last one transaction.",
                           &session_contexts_setting, true, PGC_SUSET, 0, nullptr, nullptr,
                           nullptr);
  // Audit settings are the superuser's (or, through set_audit_level, an
  // agentauthz_admin's): an agent can neither lower the level nor shorten
  // what it waits for.
  DefineCustomEnumVariable(
      "agentauthz.audit",
      "What the audit log records of the actor context's decisions: off, denied, summary or all.",
      "summary: one row per statement and (relation, object type) with counts and a sample of ids.",
      &audit::level_setting, audit::kSummary, audit_levels, PGC_SUSET, 0, nullptr, nullptr,
      nullptr);
  DefineCustomIntVariable("agentauthz.audit_sample_size",
                          "How many allowed and how many denied ids a summary record keeps.",
                          nullptr, &audit::sample_size_setting, 10, 0, 1000, PGC_SUSET, 0, nullptr,
                          nullptr, nullptr);
  DefineCustomIntVariable("agentauthz.audit_queue_wait",
                          "How long a statement waits for the audit writer to make room in a full "
                          "audit queue before it fails.",
                          "The statement waits as long as the writer makes progress; it fails "
                          "(53400) after this long without "
                          "any: decisions that cannot be recorded are not made.",
                          &audit::queue_wait_setting, 1000, 0, 600000, PGC_SUSET, GUC_UNIT_MS,
                          nullptr, nullptr, nullptr);
  DefineCustomIntVariable("agentauthz.audit_buffer_size",
                          "How many audit records a backend gathers before it hands them over.",
                          "Bounds a statement's audit memory whatever it decides on; without the "
                          "preloaded library a transaction "
                          "may hold 64 times this much until it commits.",
                          &audit::buffer_kb_setting, 64, 8, 16 * 1024, PGC_SUSET, GUC_UNIT_KB,
                          nullptr, nullptr, nullptr);
  // The queue's shape is fixed at server start: only a preloaded library
  // may define it (PostgreSQL refuses postmaster settings later).
  if (process_shared_preload_libraries_in_progress) define_queue_settings();
  // Nobody may plant agentauthz.* placeholders, in this or a later session.
  MarkGUCPrefixReserved("agentauthz");
}

}  // namespace agentauthz::pg

// Loads the library: settings, hooks, callbacks and, when preloaded, the audit queue and writers.
void _PG_init(void) {
  if (!process_shared_preload_libraries_in_progress)
    agentauthz::pg::refuse_unprivileged_placeholders();
  // First, so that whatever is logged from here on has its tokens hidden.
  agentauthz::pg::register_token_hiding();
  agentauthz::pg::define_settings();
  agentauthz::pg::register_statement_hooks();
  agentauthz::pg::register_catalog_callbacks();
  agentauthz::pg::register_scan_lifecycle();
  agentauthz::pg::writer_marks::register_callbacks();
  agentauthz::pg::register_context_callbacks();
  agentauthz::pg::register_agent_prepare_check();
  agentauthz::pg::register_role_privileges_callbacks();
  agentauthz::pg::register_lock_prepare_check();
  agentauthz::pg::audit::register_hooks();
  if (process_shared_preload_libraries_in_progress) {
    agentauthz::pg::audit_queue::register_hooks();
    agentauthz::pg::writer_marks::register_hooks();
    agentauthz::pg::shared_cache::register_hooks();
    EnableQueryId();  // statement identity for the audit log
  }
}
