#include "pg/actor/session_values.h"

#include "pg/actor/active_actor.h"
#include "pg/actor/transaction_scoped.h"

namespace agentauthz::pg {

namespace {

struct SessionValues {
  Oid role = InvalidOid;     // the role that set them; they hold for it only
  core::json::Value values;  // an object, or null for none
};

TransactionScoped<SessionValues> session_values;

// PREPARE TRANSACTION is refused by the actor context's callback
// (pg/actor/context.cpp), which checks both.
void xact_callback(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
      session_values.on_commit();
      break;
    case XACT_EVENT_PREPARE:
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
      session_values.on_abort();
      break;
    default:
      break;
  }
}

void subxact_callback(SubXactEvent event, SubTransactionId subid, SubTransactionId parent, void*) {
  session_values.on_subtransaction(event, subid, parent);
}

}  // namespace

void set_session_values(const core::json::Value& values, bool local) {
  SessionValues set;
  set.role = GetUserId();
  set.values = values;
  session_values.set(set, local);
}

void clear_session_values() { session_values.set(SessionValues(), false); }

void discard_session_values() { session_values.discard(); }

const core::json::Value* session_values_of_current_role() {
  const SessionValues& current = session_values.current();
  if (current.values.kind() != core::json::Kind::Object || current.role != GetUserId())
    return nullptr;
  // Set while the role was a trusted application; a role since revoked (an
  // agent's role lent agentauthz_app for a moment) supplies nothing.
  if (!trusted_application_session()) return nullptr;
  return &current.values;
}

bool session_values_changed() { return session_values.session_changed(); }

uint64_t session_values_generation() { return session_values.generation(); }

void register_session_values_callbacks() {
  RegisterXactCallback(xact_callback, nullptr);
  RegisterSubXactCallback(subxact_callback, nullptr);
}

}  // namespace agentauthz::pg
