// The backend's side of the audit: decisions of the actor context are
// recorded at the level agentauthz.audit sets (off, denied, summary, all),
// gathered per statement and handed over when the top-level statement ends
// (or its transaction does): to the shared queue and its writer when the
// library is preloaded, to the server log on a hot standby, otherwise to
// agentauthz.audit_log in the caller's own transaction at commit.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pg/actor/active_actor.h"

namespace agentauthz::pg::audit {

enum Level : int { kOff = 0, kDenied = 1, kSummary = 2, kAll = 3 };

extern int level_setting;        // agentauthz.audit
extern int sample_size_setting;  // agentauthz.audit_sample_size
extern int queue_wait_setting;   // agentauthz.audit_queue_wait (ms without the writer's progress)
extern int
    buffer_kb_setting;  // agentauthz.audit_buffer_size (kB a backend gathers before handing over)

inline bool recording() { return level_setting != kOff; }

// One decision of the actor on (relation, object type, id). The keys are
// the model's ids for the names (compared instead of the strings).
void note_decision(const ActiveActor& actor, int32_t relation_key, int32_t type_key,
                   std::string_view relation, std::string_view object_type, std::string_view id,
                   bool allowed);
void note_decision(const ActiveActor& actor, int32_t relation_key, int32_t type_key,
                   std::string_view relation, std::string_view object_type, int64_t id,
                   bool allowed);
// A refusal with a reason (a key that names no object, a check too deep to
// decide): counted like any refusal at `summary`, a row of its own with the
// reason at `denied` and `all`. Names and id are clipped to their limits.
// Keys the model does not define are given by key_for_name().
void note_refusal(const ActiveActor& actor, int32_t relation_key, int32_t type_key,
                  std::string_view relation, std::string_view object_type, std::string_view id,
                  std::string_view reason);
// A summary key for a name the model does not define (negative, so it
// never meets a model's id).
int32_t key_for_name(std::string_view name);
// An allowed set listed for a query (the `set` strategy): how many ids.
void note_listing(const ActiveActor& actor, std::string_view relation, std::string_view object_type,
                  const std::vector<std::string>& ids);

// A refused act_for: the agent of the current role (or ""), the
// delegation the token named (0 when it named none) and why.
void note_refused_token(std::string_view agent, int64_t delegation_id, std::string_view reason);

// Hands over what this backend holds and waits until it is in the log;
// false after timeout_ms. Where records go, as current_actor() reports it.
bool flush_and_wait(long timeout_ms);
const char* destination();

// Installs the executor, utility, transaction and exit hooks (_PG_init;
// pg/audit/hooks.cpp), which call the three functions below.
void register_hooks();
// Makes sure records a backend still holds when it exits are handed over;
// called by the backend when it first records something.
void register_exit_hook();
// A top-level statement ended: its records are handed over.
void statement_finished();
// The transaction is committing (records written in it, without the
// queue, are written now) or aborting; or the backend is exiting.
void transaction_finished(bool committing, bool exiting);
// The transaction has committed: what it wrote to the log at its
// pre-commit is kept (until then, an abort sends it to the server log).
void transaction_committed() noexcept;
// The transaction is being prepared: hands over its records to the queue;
// refuses (an ERROR) when it would write the log itself or has locked the
// chain's head (purge_audit): a prepared transaction would hold that lock
// until it is finished, and every writer of the log would wait.
void transaction_preparing();
// The transaction aborted or the backend is exiting: hands over what it
// can, waiting briefly at most, and never fails.
void transaction_aborted(bool exiting) noexcept;

}  // namespace agentauthz::pg::audit
