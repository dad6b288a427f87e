// The actor context: who this session acts as. It lives in backend memory,
// not in settings, so SET, set_config, RESET, placeholders and other
// roles' functions cannot reach it; only act_for(), set_subject() and
// end_task() change it. A local context ends with its transaction; any
// context set in a transaction or savepoint that rolls back is undone
// (pg/actor/transaction_scoped.h; set_context's values live by the same
// rules, pg/actor/session_values.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

struct ActorContext {
  enum class Kind { None, Subject, Agent, Delegation };
  Kind kind = Kind::None;
  Oid role = InvalidOid;       // the role that set it; it holds for that role only
  std::string subject;         // Subject: the subject; Agent, Delegation: the agent
  std::vector<int64_t> chain;  // Delegation: the links, root first
  bool local = true;
};

// The context as set explicitly (act_for, set_subject), or Kind::None.
const ActorContext& explicit_context();
// Replaces the context: for the transaction (local) or, once the
// transaction commits, for the session.
void set_context(const ActorContext& context);
// Ends the context (end_task).
void clear_context();
// Ends the session's context at once, whatever the transaction does
// (DISCARD ALL: a pooled connection must not pass it on).
void discard_context();
// A number that changes whenever the context does (cache keys).
uint64_t context_generation();

// Installs the transaction callbacks and the utility hook that ends the
// context on DISCARD ALL; called once from _PG_init.
void register_context_callbacks();

}  // namespace agentauthz::pg
