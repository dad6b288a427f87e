// The audit log under real sessions: several agents working at once lose
// and duplicate no record; refusals are on record even when the session
// is cancelled or killed in the middle of its statement.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <vector>

#include "pg_session.h"

namespace agentauthz::test {
namespace {

const char* kDatabase = "agentauthz_audit";
constexpr int kSessions = 4;
constexpr int kStatements = 250;
constexpr int kDocuments = 200;  // anne sees 1..100

const char* kSetup = R"(
SELECT agentauthz.write_model('model
  schema 1.1
type user
type agent
type document
  relations
    define owner: [user]
    define editor: [user] or owner
    define viewer: [user] or editor');
SELECT agentauthz.write_tuple('document:' || g, 'viewer', 'user:anne') FROM generate_series(1, 100) g;
CREATE TABLE docs (id bigint PRIMARY KEY, body text);
INSERT INTO docs SELECT g, 'doc ' || g FROM generate_series(1, 200) g;
SELECT agentauthz.protect('docs', 'document', 'id');
)";

struct SessionTally {
  int pid = 0;
  int allowed = 0;
  int denied = 0;
};

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    recreate_database(kDatabase);
    PgSession admin(kDatabase);
    admin.run("DROP ROLE IF EXISTS audit_load_bot");
    admin.exec(kSetup);
    admin.exec(
        "SELECT agentauthz.create_agent_role('audit_load_bot', 'agent:loader', "
        "tables => ARRAY['docs'::regclass])");
    token_ = admin.value(
        "SELECT agentauthz.delegate('user:anne', 'agent:loader', '{viewer@document:*}', "
        "now() + interval '1 hour', 'load test')");
    preloaded_ =
        admin.value("SHOW shared_preload_libraries").find("agentauthz") != std::string::npos;
  }

  void TearDown() override {
    PgSession admin(kDatabase);
    admin.run("ALTER ROLE audit_load_bot RESET ALL");
  }

  void set_level(const std::string& level) {
    PgSession admin(kDatabase);
    admin.exec("ALTER ROLE audit_load_bot IN DATABASE " + std::string(kDatabase) +
               " SET agentauthz.audit = '" + level + "'");
  }

  std::unique_ptr<PgSession> agent() {
    auto session = std::make_unique<PgSession>(kDatabase, "audit_load_bot");
    QueryResult r = session->run("SELECT agentauthz.act_for($1, false)", {token_});
    EXPECT_TRUE(r.ok) << r.error;
    return session;
  }

  // Point lookups from one session: plain, rolled back, read-only.
  SessionTally work(int seed) {
    SessionTally tally;
    std::unique_ptr<PgSession> session = agent();
    tally.pid = session->backend_pid();
    for (int i = 0; i < kStatements; ++i) {
      int id = (i * 7 + seed * 13) % kDocuments + 1;
      if (i % 10 == 3) session->exec("BEGIN");
      if (i % 25 == 5) session->exec("BEGIN READ ONLY");
      QueryResult r = session->run("SELECT count(*) FROM docs WHERE id = $1", {std::to_string(id)});
      EXPECT_TRUE(r.ok) << r.error;
      EXPECT_EQ(r.value(), id <= 100 ? "1" : "0");
      (id <= 100 ? tally.allowed : tally.denied)++;
      if (i % 10 == 3) session->exec("ROLLBACK");
      if (i % 25 == 5) session->exec("COMMIT");
    }
    return tally;
  }

  std::vector<SessionTally> run_sessions() {
    std::vector<SessionTally> tallies(kSessions);
    std::vector<std::thread> threads;
    for (int s = 0; s < kSessions; ++s)
      threads.emplace_back([this, s, &tallies] { tallies[s] = work(s); });
    for (std::thread& t : threads) t.join();
    return tallies;
  }

  static void flush(PgSession& admin) {
    EXPECT_EQ(admin.value("SELECT agentauthz.audit_flush(30000)"), "t");
  }

  std::string token_;
  bool preloaded_ = false;
};

TEST_F(AuditTest, ConcurrentAgentsLoseAndDuplicateNoCheckRecord) {
  set_level("all");
  std::vector<SessionTally> tallies = run_sessions();
  PgSession admin(kDatabase);
  flush(admin);
  for (const SessionTally& t : tallies) {
    QueryResult r = admin.run(
        "SELECT count(*) FILTER (WHERE decision = 'allowed'), count(*) FILTER (WHERE decision = "
        "'denied'), "
        "count(DISTINCT (logged_at, object_id)) FROM agentauthz.audit_log "
        "WHERE kind = 'check' AND backend_pid = $1 AND actor = 'agent:loader' AND principal = "
        "'user:anne'",
        {std::to_string(t.pid)});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.rows[0][0], std::to_string(t.allowed)) << "pid " << t.pid;
    EXPECT_EQ(*r.rows[0][1], std::to_string(t.denied)) << "pid " << t.pid;
    EXPECT_EQ(*r.rows[0][2], std::to_string(kStatements)) << "one record per statement, none twice";
  }
  EXPECT_EQ(admin.value("SELECT count(*) FROM agentauthz.audit_log WHERE kind = 'dropped'"), "0");
  EXPECT_EQ(admin.value("SELECT ok FROM agentauthz.verify_audit()"), "t");
  if (preloaded_) {
    EXPECT_EQ(
        admin.value(
            "SELECT dropped FROM agentauthz.audit_stats() WHERE database = current_database()"),
        "0");
  }
}

TEST_F(AuditTest, ConcurrentAgentsGetOneSummaryPerStatement) {
  set_level("summary");
  std::vector<SessionTally> tallies = run_sessions();
  PgSession admin(kDatabase);
  flush(admin);
  for (const SessionTally& t : tallies) {
    QueryResult r = admin.run(
        "SELECT count(*), sum(allowed_count), sum(denied_count) FROM agentauthz.audit_log "
        "WHERE kind = 'summary' AND backend_pid = $1",
        {std::to_string(t.pid)});
    ASSERT_TRUE(r.ok) << r.error;
    EXPECT_EQ(*r.rows[0][0], std::to_string(kStatements)) << "pid " << t.pid;
    EXPECT_EQ(*r.rows[0][1], std::to_string(t.allowed)) << "pid " << t.pid;
    EXPECT_EQ(*r.rows[0][2], std::to_string(t.denied)) << "pid " << t.pid;
  }
  EXPECT_EQ(admin.value("SELECT ok FROM agentauthz.verify_audit()"), "t");
}

// A statement cancelled after its refusals, and a session killed in the
// middle of one: both refusals are on record.
TEST_F(AuditTest, RefusalsSurviveCancelAndTermination) {
  if (!preloaded_) GTEST_SKIP() << "needs the shared audit queue (shared_preload_libraries)";
  set_level("denied");
  std::unique_ptr<PgSession> cancelled = agent();
  int cancelled_pid = cancelled->backend_pid();
  cancelled->exec("SET statement_timeout = '200ms'");
  QueryResult timed_out = cancelled->run(
      "WITH d AS MATERIALIZED (SELECT count(*) AS n FROM docs WHERE id = 150) SELECT n, "
      "pg_sleep(5) FROM d");
  EXPECT_EQ(timed_out.sqlstate, "57014");

  std::unique_ptr<PgSession> killed = agent();
  int killed_pid = killed->backend_pid();
  std::thread victim([&] {
    QueryResult r = killed->run(
        "BEGIN; WITH d AS MATERIALIZED (SELECT count(*) AS n FROM docs WHERE id = 151) "
        "SELECT n, pg_sleep(30) FROM d");
    EXPECT_FALSE(r.ok);
  });
  PgSession admin(kDatabase);
  for (int i = 0; i < 200; ++i) {
    if (admin.value("SELECT count(*) FROM pg_stat_activity WHERE pid = " +
                    std::to_string(killed_pid) + " AND wait_event = 'PgSleep'") == "1")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(admin.value("SELECT pg_terminate_backend(" + std::to_string(killed_pid) + ", 10000)"),
            "t");
  victim.join();
  flush(admin);
  EXPECT_EQ(
      admin.value("SELECT string_agg(object_id || ':' || decision, ',') FROM agentauthz.audit_log "
                  "WHERE backend_pid = " +
                  std::to_string(cancelled_pid)),
      "150:denied");
  EXPECT_EQ(
      admin.value("SELECT string_agg(object_id || ':' || decision, ',') FROM agentauthz.audit_log "
                  "WHERE backend_pid = " +
                  std::to_string(killed_pid)),
      "151:denied");
}

}  // namespace
}  // namespace agentauthz::test
