// Integration tests of the engine through real connections: visibility
// across sessions, parallel query, cancellation, hostile input, and
// concurrent writers and readers.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "pg_session.h"

namespace agentauthz::test {
namespace {

const char* kModel = R"(model
  schema 1.1
type user
type group
  relations
    define member: [user, group#member]
type folder
  relations
    define parent: [folder]
    define viewer: [user, group#member] or viewer from parent
type document
  relations
    define parent: [folder]
    define blocked: [user]
    define viewer: ([user, group#member] or viewer from parent) but not blocked
)";

class EngineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    recreate_database(test_database());
    PgSession db(test_database());
    db.run("SELECT agentauthz.write_model($1)", {kModel});
  }
  void SetUp() override {
    PgSession db(test_database());
    db.exec("TRUNCATE agentauthz.tuples");
  }
};

TEST_F(EngineTest, CommittedWritesAreSeenByOtherSessionsNextStatement) {
  PgSession reader(test_database());
  PgSession writer(test_database());
  const std::string check = "SELECT agentauthz.check('user:anne', 'viewer', 'document:1')";
  EXPECT_EQ(reader.value(check), "f");
  writer.exec("BEGIN");
  writer.exec("SELECT agentauthz.write_tuple('document:1', 'viewer', 'user:anne')");
  EXPECT_EQ(reader.value(check), "f") << "an uncommitted tuple must not grant";
  writer.exec("COMMIT");
  EXPECT_EQ(reader.value(check), "t");
  writer.exec("SELECT agentauthz.delete_tuple('document:1', 'viewer', 'user:anne')");
  EXPECT_EQ(reader.value(check), "f") << "a committed delete must revoke at once";
}

TEST_F(EngineTest, NewModelIsUsedByOtherSessionsOnceCommitted) {
  PgSession reader(test_database());
  PgSession writer(test_database());
  EXPECT_EQ(reader.run("SELECT agentauthz.check('user:anne', 'editor', 'document:1')").sqlstate,
            "42704");
  writer.exec("BEGIN");
  writer.run("SELECT agentauthz.write_model($1)",
             {std::string(kModel) + "    define editor: [user]\n"});
  EXPECT_EQ(reader.run("SELECT agentauthz.check('user:anne', 'editor', 'document:1')").sqlstate,
            "42704");
  writer.exec("COMMIT");
  EXPECT_EQ(reader.value("SELECT agentauthz.check('user:anne', 'editor', 'document:1')"), "f");
  writer.run("SELECT agentauthz.write_model($1)", {kModel});
}

TEST_F(EngineTest, ParallelWorkersAgreeWithTheLeader) {
  PgSession db(test_database());
  db.exec("DROP TABLE IF EXISTS docs");
  db.exec("CREATE TABLE docs AS SELECT g AS id FROM generate_series(1, 20000) g");
  db.exec("ANALYZE docs");
  db.exec(
      "SELECT agentauthz.write_tuple('folder:f' || (g % 10), 'viewer', 'user:anne') "
      "FROM generate_series(0, 4) g");
  db.exec(
      "INSERT INTO agentauthz.tuples (object, relation, subject) "
      "SELECT 'document:' || id, 'parent', 'folder:f' || (id % 10) FROM docs");
  const std::string query =
      "SELECT count(*) FROM docs WHERE agentauthz.check('user:anne', 'viewer', 'document:' || id)";
  std::string serial = db.value(query);
  EXPECT_EQ(serial, "10000");
  db.exec("SET max_parallel_workers_per_gather = 2");
  db.exec("SET parallel_setup_cost = 0");
  db.exec("SET parallel_tuple_cost = 0");
  db.exec("SET min_parallel_table_scan_size = 0");
  db.exec("SET force_parallel_mode = on");
  QueryResult plan = db.run("EXPLAIN (COSTS OFF) " + query);
  ASSERT_TRUE(plan.ok);
  bool gather = false;
  for (const auto& row : plan.rows) gather |= row[0]->find("Gather") != std::string::npos;
  EXPECT_TRUE(gather) << "the plan must be parallel for this test to mean anything";
  EXPECT_EQ(db.value(query), serial);
  db.exec("DROP TABLE docs");
}

TEST_F(EngineTest, CancelDuringEvaluationLeavesTheSessionHealthy) {
  PgSession victim(test_database());
  PgSession admin(test_database());
  admin.exec(
      "SELECT agentauthz.write_model($m$model\n  schema 1.1\ntype user\ntype group\n"
      "  relations\n    define banned: [user]\n"
      "    define member: [user, group#member] but not banned\n$m$)");
  admin.exec(
      "INSERT INTO agentauthz.tuples (object, relation, subject) "
      "SELECT 'group:g' || a, 'member', 'group:g' || b || '#member' "
      "FROM generate_series(1, 30) a, generate_series(1, 30) b WHERE a <> b");
  victim.exec("SET agentauthz.max_depth = 512");
  int pid = victim.backend_pid();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    PgSession other(test_database());
    other.exec("SELECT pg_cancel_backend(" + std::to_string(pid) + ")");
  });
  QueryResult r = victim.run("SELECT agentauthz.check('user:nobody', 'member', 'group:g1')");
  canceller.join();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.sqlstate, "57014");
  victim.exec("RESET agentauthz.max_depth");
  victim.exec("SELECT agentauthz.write_tuple('group:g3', 'member', 'user:x')");
  EXPECT_EQ(victim.value("SELECT agentauthz.check('user:x', 'member', 'group:g1')"), "t");
  EXPECT_EQ(victim.backend_pid(), pid);
  admin.run("SELECT agentauthz.write_model($1)", {kModel});
}

// Random strings (printable, control, multibyte) sent where objects,
// relations, subjects and models go: every call answers or raises a clean
// error, and the backend survives.
TEST_F(EngineTest, HostileInputNeverCrashesTheBackend) {
  PgSession db(test_database());
  int pid = db.backend_pid();
  std::mt19937 rng(42);
  const std::vector<std::string> pieces = {
      "user", "document", "group",  ":",    "#",  "*",   "@",       " ",        "\t",
      "\n",   "viewer",   "member", "1",    "x",  "é",   "日",      "\xc2\xa0", "\xe2\x80\x8b",
      "%",    "'",        "\\",     "from", "or", "and", "but not", "[",        "]",
      "(",    ")"};
  auto random_string = [&](size_t max_pieces) {
    std::string s;
    size_t n = rng() % max_pieces;
    for (size_t i = 0; i < n; ++i) s += pieces[rng() % pieces.size()];
    if (rng() % 10 == 0) s += std::string(300 + rng() % 400, 'x');
    return s;
  };
  const std::vector<std::string> calls = {
      "SELECT agentauthz.check($1, $2, $3)",
      "SELECT agentauthz.write_tuple($1, $2, $3)",
      "SELECT agentauthz.delete_tuple($1, $2, $3)",
      "SELECT count(*) FROM agentauthz.list_objects($1, $2, $3)",
      "SELECT count(*) FROM agentauthz.list_subjects($1, $2, $3)",
      "SELECT agentauthz.explain($1, $2, $3)",
  };
  for (int i = 0; i < 3000; ++i) {
    const std::string& call = calls[rng() % calls.size()];
    QueryResult r = db.run(call, {random_string(6), random_string(3), random_string(6)});
    if (!r.ok) {
      std::string cls = r.sqlstate.substr(0, 2);
      EXPECT_TRUE(cls == "22" || cls == "42" || r.sqlstate == "55000" || r.sqlstate == "23505")
          << call << " raised " << r.sqlstate << " " << r.error;
    }
  }
  for (int i = 0; i < 500; ++i) {
    std::string dsl = "model\n  schema 1.1\n" + random_string(30);
    QueryResult r = db.run("SELECT agentauthz.write_model($1)", {dsl});
    if (!r.ok) {
      EXPECT_EQ(r.sqlstate, "42601") << r.error;
    }
  }
  EXPECT_TRUE(db.connected());
  EXPECT_EQ(db.backend_pid(), pid);
  EXPECT_EQ(db.value("SELECT 1"), "1");
  db.run("SELECT agentauthz.write_model($1)", {kModel});
}

// Writers and readers in parallel: no errors, no lost or duplicated tuples.
TEST_F(EngineTest, ConcurrentWritersAndReaders) {
  constexpr int kThreads = 4;
  constexpr int kTuplesEach = 150;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      PgSession db(test_database());
      for (int i = 0; i < kTuplesEach; ++i) {
        std::string doc = "document:d" + std::to_string(i);
        std::string user = "user:u" + std::to_string(t);
        // Every thread also writes a shared tuple: concurrent identical writes.
        QueryResult w = db.run(
            "SELECT agentauthz.write_tuple($1, 'viewer', $2), "
            "agentauthz.write_tuple($1, 'viewer', 'user:shared')",
            {doc, user});
        QueryResult c = db.run("SELECT agentauthz.check($2, 'viewer', $1)", {doc, user});
        if (!w.ok || !c.ok || c.value() != "t") ++failures;
        if (i % 3 == 0) {
          QueryResult d = db.run("SELECT agentauthz.delete_tuple($1, 'viewer', $2)", {doc, user});
          QueryResult c2 = db.run("SELECT agentauthz.check($2, 'viewer', $1)", {doc, user});
          if (!d.ok || d.value() != "t" || c2.value() != "f") ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  PgSession db(test_database());
  EXPECT_EQ(db.value("SELECT count(*) FROM agentauthz.tuples WHERE subject = 'user:shared'"),
            std::to_string(kTuplesEach));
  EXPECT_EQ(db.value("SELECT count(*) FROM agentauthz.tuples WHERE subject <> 'user:shared'"),
            std::to_string(kThreads * (kTuplesEach - (kTuplesEach + 2) / 3)));
}

}  // namespace
}  // namespace agentauthz::test
