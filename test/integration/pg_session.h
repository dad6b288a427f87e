// A small libpq wrapper for the integration tests: one connection, queries
// that return text cells or the error's SQLSTATE.
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace agentauthz::test {

struct QueryResult {
  bool ok = false;
  std::string sqlstate;  // when !ok
  std::string error;     // when !ok
  std::vector<std::vector<std::optional<std::string>>> rows;

  // The single value of a one-row, one-column result ("" when NULL).
  std::string value() const;
};

class PgSession {
 public:
  // Connects with the libpq environment (PGHOST, PGPORT, PGUSER) to `dbname`,
  // optionally as another role (`user`).
  explicit PgSession(const std::string& dbname, const std::string& user = "");
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  bool connected() const;
  // Runs a statement; never throws.
  QueryResult run(const std::string& sql);
  // Runs a statement with text parameters.
  QueryResult run(const std::string& sql, const std::vector<std::string>& params);
  // Runs a statement and returns its single value; fails the test on error.
  std::string value(const std::string& sql);
  // Runs a statement; fails the test on error.
  void exec(const std::string& sql);
  int backend_pid();

 private:
  PGconn* conn_ = nullptr;
};

// The database every test in a binary uses, created fresh by the fixture.
std::string test_database();
// Creates (dropping first) a database with the extension installed.
void recreate_database(const std::string& name);

}  // namespace agentauthz::test
