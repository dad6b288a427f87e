// The extension's GUCs, defined in _PG_init.
#pragma once

namespace agentauthz::pg {

extern int max_depth_setting;             // agentauthz.max_depth
extern int max_delegation_depth_setting;  // agentauthz.max_delegation_depth
extern bool session_contexts_setting;     // agentauthz.session_contexts
extern int audit_queue_kb_setting;        // agentauthz.audit_queue_size (postmaster)
extern int audit_databases_setting;       // agentauthz.audit_databases (postmaster)

void define_settings();
// Without preloading, applies again the agentauthz.* values stored for the
// database and the session's role (see late_settings.cpp).
void apply_stored_settings();

}  // namespace agentauthz::pg
