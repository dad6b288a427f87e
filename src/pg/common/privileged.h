// The one way the extension runs SQL of its own. Every SPI query runs
// inside a SqlScope: search_path pinned to `pg_catalog, agentauthz,
// pg_temp` (pg_temp named last, so a temporary object shadows nothing) in a
// GUC nest level of its own, as a function's SET clause does. A scope with
// Rights::Owner also switches to the extension's owner inside a
// SECURITY_RESTRICTED_OPERATION, as ANALYZE and REFRESH MATERIALIZED VIEW
// switch to a table's owner: that is how the extension writes its own
// tables on behalf of roles that may not.
//
// Queries run in a scope qualify their operators (OPERATOR(pg_catalog.=))
// and functions, and never evaluate what a user can define: no casts or
// output functions of user types, no row output of user tables.
#pragma once

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

enum class Rights {
  Caller,  // the calling role's own privileges
  Owner,   // the extension owner's, in a security-restricted operation
};

class SqlScope {
 public:
  // Enters the scope; raises (as a C++ exception) when the extension is
  // not installed. Construct it in C++ frames, not inside pg_guard.
  explicit SqlScope(Rights rights);
  // Restores the user, security context and search_path.
  ~SqlScope();
  SqlScope(const SqlScope&) = delete;
  SqlScope& operator=(const SqlScope&) = delete;

  // The role that called in (the current user before the scope).
  Oid caller() const { return saved_user_; }

 private:
  void restore() noexcept;

  Oid saved_user_ = InvalidOid;
  int saved_context_ = 0;
  int nest_level_ = -1;
  bool switched_user_ = false;
};

// The search_path every scope pins.
extern const char* const kPinnedSearchPath;

// Runs `body` (SPI calls, no C++ objects with destructors alive across
// them) connected to SPI, inside pg_guard. Use it within a SqlScope.
template <typename F>
void with_spi(F&& body);

}  // namespace agentauthz::pg

#include "pg/common/guard.h"

namespace agentauthz::pg {

template <typename F>
void with_spi(F&& body) {
  pg_guard([&] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    body();
    SPI_finish();
  });
}

}  // namespace agentauthz::pg
