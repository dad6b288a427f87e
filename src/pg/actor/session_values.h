// The condition values a trusted application supplies for its session or
// transaction (set_context): request attributes such as a client's network
// or a ticket's region. They live in backend memory with the actor
// context's lifetime rules (pg/actor/transaction_scoped.h): local ones end
// with their transaction, any set in a transaction or savepoint that rolls
// back are undone, end_task() and DISCARD ALL end them. They hold for the
// role that set them only: after SET ROLE, or inside another role's
// SECURITY DEFINER function, none are seen.
#pragma once

#include <cstdint>

#include "core/json/json_value.h"
#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Replaces the values (a JSON object; null: none) for the current role, for
// the transaction (local) or, once it commits, for the session.
void set_session_values(const core::json::Value& values, bool local);
// Ends the values (end_task).
void clear_session_values();
// Ends the session's values at once, whatever the transaction does
// (DISCARD ALL).
void discard_session_values();
// The values in force for the current role, or nullptr when it set none or
// no longer acts as a trusted application (trusted_application_session).
const core::json::Value* session_values_of_current_role();
// Whether this transaction changed the session's values.
bool session_values_changed();
// A number that changes whenever the values in force may have.
uint64_t session_values_generation();

// Installs the transaction callbacks; called from register_context_callbacks.
void register_session_values_callbacks();

}  // namespace agentauthz::pg
