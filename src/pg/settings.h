// The extension's GUCs, defined in _PG_init.
#pragma once

namespace agentauthz::pg {

extern int max_depth_setting;             // agentauthz.max_depth
extern int max_delegation_depth_setting;  // agentauthz.max_delegation_depth
// Bounds of what one delegation may hold, and how long ended links are kept.
extern int max_delegation_scopes_setting;         // agentauthz.max_delegation_scopes
extern int max_delegation_purpose_bytes_setting;  // agentauthz.max_delegation_purpose_bytes
extern int max_delegation_tree_links_setting;     // agentauthz.max_delegation_tree_links
extern int delegation_retention_setting;          // agentauthz.delegation_retention (minutes)
extern bool session_contexts_setting;             // agentauthz.session_contexts
extern int engine_cache_mb_setting;               // agentauthz.engine_cache_size
extern bool shared_cache_setting;                 // agentauthz.shared_cache
extern int shared_cache_mb_setting;               // agentauthz.shared_cache_size (postmaster)
extern int audit_queue_kb_setting;                // agentauthz.audit_queue_size (postmaster)
extern int audit_databases_setting;               // agentauthz.audit_databases (postmaster)
extern int audit_writers_setting;                 // agentauthz.audit_writers (postmaster)
extern int
    audit_backend_share_setting;  // agentauthz.audit_backend_share (percent of a ring, sighup)

void define_settings();
// Raises 42501 when a superuser-only agentauthz.* setting was named, before
// the library loaded, by a role without the right to (placeholders.cpp).
// Called first in _PG_init: the library then does not load.
void refuse_unprivileged_placeholders();

}  // namespace agentauthz::pg
