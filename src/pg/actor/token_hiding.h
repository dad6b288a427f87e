// Keeps delegation tokens out of what others read of a session: the server
// log (every destination: stderr, csvlog, jsonlog, syslog) and the query
// text pg_stat_activity shows. Secrets are replaced as core/token_redaction.h
// describes; a statement that presents a token as a literal is logged and
// shown redacted. Holds from the moment the library is loaded: preloaded
// (shared_preload_libraries or session_preload_libraries), from the start
// of every session.
#pragma once

namespace agentauthz::pg {

// Replaces the secrets in this backend's reported activity (its entry in
// pg_stat_activity); cheap when nothing changed since the last call. Needs
// no memory and raises nothing (it runs inside error reporting too).
void hide_tokens_in_activity() noexcept;

// Installs the log hook and the hooks that hide tokens from
// pg_stat_activity as each statement starts; called once from _PG_init.
void register_token_hiding();

}  // namespace agentauthz::pg
