#include "pg_session.h"

#include <gtest/gtest.h>

namespace agentauthz::test {

namespace {

// Copies a libpq result (rows, or the error and its SQLSTATE) and frees it.
QueryResult collect(PGresult* result) {
  QueryResult out;
  ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) {
    out.ok = true;
    for (int r = 0; r < PQntuples(result); ++r) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < PQnfields(result); ++c) {
        if (PQgetisnull(result, r, c))
          row.emplace_back(std::nullopt);
        else
          row.emplace_back(std::string(PQgetvalue(result, r, c)));
      }
      out.rows.push_back(std::move(row));
    }
  } else {
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    const char* message = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY);
    out.sqlstate = state ? state : "connection";
    out.error = message ? message : PQresultErrorMessage(result);
  }
  PQclear(result);
  return out;
}

}  // namespace

std::string QueryResult::value() const {
  if (rows.empty() || rows[0].empty() || !rows[0][0]) return "";
  return *rows[0][0];
}

PgSession::PgSession(const std::string& dbname, const std::string& user) {
  std::string conninfo = "dbname=" + dbname;
  if (!user.empty()) conninfo += " user=" + user;
  conn_ = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn_) != CONNECTION_OK)
    ADD_FAILURE() << "cannot connect to " << dbname << ": " << PQerrorMessage(conn_);
  else
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
}

PgSession::~PgSession() {
  if (conn_) PQfinish(conn_);
}

bool PgSession::connected() const { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

QueryResult PgSession::run(const std::string& sql) { return collect(PQexec(conn_, sql.c_str())); }

QueryResult PgSession::run(const std::string& sql, const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  return collect(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0));
}

std::string PgSession::value(const std::string& sql) {
  QueryResult r = run(sql);
  EXPECT_TRUE(r.ok) << sql << ": " << r.sqlstate << " " << r.error;
  return r.value();
}

void PgSession::exec(const std::string& sql) {
  QueryResult r = run(sql);
  EXPECT_TRUE(r.ok) << sql << ": " << r.sqlstate << " " << r.error;
}

int PgSession::backend_pid() { return PQbackendPID(conn_); }

std::string test_database() { return "agentauthz_integration"; }

void recreate_database(const std::string& name) {
  PgSession admin("postgres");
  admin.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
  admin.exec("CREATE DATABASE " + name);
  PgSession db(name);
  db.exec("CREATE EXTENSION agentauthz");
}

}  // namespace agentauthz::test
