// Randomized differential test of what backends keep between statements:
// writers change tuples (committed, rolled back, through savepoints) while
// another connection commits unrelated rows, and readers answer the same
// checks and listings twice under one REPEATABLE READ snapshot -- first
// with whatever they kept from earlier transactions, then from nothing.
// Every pair must agree; the readers must also have kept their caches
// across some statements, or the test proved nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "pg_session.h"

namespace agentauthz::test {
namespace {

const char* kDatabase = "agentauthz_kept_differential";
constexpr int kUsers = 6;
constexpr int kGroups = 4;
constexpr int kFolders = 5;
constexpr int kDocuments = 8;
constexpr auto kDuration = std::chrono::seconds(12);

// Every check of every user on every document, and each user's listing,
// as one text: the answers a reader compares.
const char* kAnswers =
    "SELECT string_agg(u || ':' || d || '=' || agentauthz.check('user:u' || u, 'reader', "
    "'document:d' || d)::text, ',' ORDER BY u, d) || '|' || "
    "(SELECT string_agg(l, ',' ORDER BY l) FROM generate_series(0, 5) v, "
    "LATERAL (SELECT v || ':' || o AS l FROM agentauthz.list_objects('user:u' || v, 'reader', "
    "'document') o) x) "
    "FROM generate_series(0, 5) u, generate_series(0, 7) d";

// A random tuple of the model: group membership (users and nested groups),
// folder and document parents, viewers, blocks.
std::vector<std::string> random_tuple(std::mt19937& rng) {
  auto pick = [&](int n) {
    return std::to_string(std::uniform_int_distribution<int>(0, n - 1)(rng));
  };
  switch (std::uniform_int_distribution<int>(0, 6)(rng)) {
    case 0:
      return {"group:g" + pick(kGroups), "member", "user:u" + pick(kUsers)};
    case 1:
      return {"group:g" + pick(kGroups), "member", "group:g" + pick(kGroups) + "#member"};
    case 2:
      return {"folder:f" + pick(kFolders), "parent", "folder:f" + pick(kFolders)};
    case 3:
      return {"document:d" + pick(kDocuments), "parent", "folder:f" + pick(kFolders)};
    case 4:
      return {"folder:f" + pick(kFolders), "viewer", "group:g" + pick(kGroups) + "#member"};
    case 5:
      return {"document:d" + pick(kDocuments), "viewer", "user:u" + pick(kUsers)};
    default:
      return {"document:d" + pick(kDocuments), "blocked", "user:u" + pick(kUsers)};
  }
}

void write_or_delete(PgSession& session, std::mt19937& rng) {
  std::vector<std::string> t = random_tuple(rng);
  if (std::uniform_int_distribution<int>(0, 2)(rng) == 0)
    session.run("SELECT agentauthz.delete_tuple($1, $2, $3)", t);
  else
    session.run("SELECT agentauthz.write_tuple($1, $2, $3)", t);
}

// Random transactions of tuple writes: committed, rolled back, or with a
// savepoint rolled back in the middle.
void writer(std::atomic<bool>* stop, unsigned seed, std::atomic<int>* commits) {
  PgSession session(kDatabase);
  std::mt19937 rng(seed);
  while (!stop->load()) {
    int shape = std::uniform_int_distribution<int>(0, 3)(rng);
    session.run("BEGIN");
    write_or_delete(session, rng);
    if (shape == 2) {
      session.run("SAVEPOINT s");
      write_or_delete(session, rng);
      session.run("ROLLBACK TO SAVEPOINT s");
    }
    write_or_delete(session, rng);
    session.run(shape == 3 ? "ROLLBACK" : "COMMIT");
    if (shape != 3) ++*commits;
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 20)(rng)));
  }
}

// Commits rows of a table the engine never reads, as fast as it can.
void unrelated(std::atomic<bool>* stop) {
  PgSession session(kDatabase);
  while (!stop->load()) session.run("INSERT INTO orders (item) VALUES ('paper')");
}

struct ReaderTally {
  int compared = 0;
  int disagreements = 0;
  long kept = 0;
  long shared_hits = 0;
  std::string first_disagreement;
};

// Under one snapshot: the answers with what was kept; then after the
// engine's own caches were dropped (a new engine_cache_size starts them
// over), from the shared cache; then with the shared cache off, from the
// indexes alone. All three must agree.
void reader(std::atomic<bool>* stop, ReaderTally* tally) {
  PgSession session(kDatabase);
  const char* views = "SELECT views FROM agentauthz.cache_stats()";
  const char* hits = "SELECT hits FROM agentauthz.shared_cache_stats()";
  bool alternate = false;
  auto start_over = [&] {
    alternate = !alternate;
    session.run(std::string("SET agentauthz.engine_cache_size = '") +
                (alternate ? "65MB" : "64MB") + "'");
  };
  while (!stop->load()) {
    session.run("BEGIN ISOLATION LEVEL REPEATABLE READ");
    std::string views_before = session.value(views);
    QueryResult kept = session.run(kAnswers);
    // The first answers started no new view: they used what was kept.
    if (session.value(views) == views_before) ++tally->kept;
    start_over();
    long hits_before = std::stol(session.value(hits));
    QueryResult shared = session.run(kAnswers);
    tally->shared_hits += std::stol(session.value(hits)) - hits_before;
    start_over();
    session.run("SET agentauthz.shared_cache = off");
    QueryResult fresh = session.run(kAnswers);
    session.run("SET agentauthz.shared_cache = on");
    session.run("COMMIT");
    if (!kept.ok || !shared.ok || !fresh.ok) {
      ADD_FAILURE() << "a reader's statement failed: " << kept.error << shared.error << fresh.error;
      return;
    }
    ++tally->compared;
    if (kept.value() != fresh.value() || shared.value() != fresh.value()) {
      if (tally->disagreements++ == 0)
        tally->first_disagreement = "kept:   " + kept.value() + "\nshared: " + shared.value() +
                                    "\nfresh:  " + fresh.value();
    }
  }
}

TEST(KeptCachesDifferential, KeptAnswersEqualFreshOnesUnderConcurrentWrites) {
  recreate_database(kDatabase);
  {
    PgSession admin(kDatabase);
    admin.exec(
        "SELECT agentauthz.write_model('model\n  schema 1.1\ntype user\ntype group\n  relations\n"
        "    define member: [user, group#member]\ntype folder\n  relations\n"
        "    define parent: [folder]\n    define viewer: [user, group#member] or viewer from "
        "parent\n"
        "type document\n  relations\n    define parent: [folder]\n"
        "    define viewer: [user, group#member] or viewer from parent\n    define blocked: "
        "[user]\n"
        "    define reader: viewer but not blocked')");
    admin.exec("CREATE TABLE orders (id bigserial PRIMARY KEY, item text)");
    std::mt19937 rng(7);
    for (int i = 0; i < 40; ++i) write_or_delete(admin, rng);
    ASSERT_EQ(admin.value("SELECT writes_marked FROM agentauthz.cache_stats()"), "t")
        << "the library must be preloaded for kept caches";
  }
  std::atomic<bool> stop{false};
  std::atomic<int> commits{0};
  ReaderTally tallies[2];
  std::vector<std::thread> threads;
  threads.emplace_back(writer, &stop, 11u, &commits);
  threads.emplace_back(writer, &stop, 23u, &commits);
  threads.emplace_back(unrelated, &stop);
  threads.emplace_back(reader, &stop, &tallies[0]);
  threads.emplace_back(reader, &stop, &tallies[1]);
  std::this_thread::sleep_for(kDuration);
  stop = true;
  for (std::thread& t : threads) t.join();
  int compared = 0;
  long kept = 0;
  long shared_hits = 0;
  for (const ReaderTally& tally : tallies) {
    EXPECT_EQ(tally.disagreements, 0) << tally.first_disagreement;
    compared += tally.compared;
    kept += tally.kept;
    shared_hits += tally.shared_hits;
  }
  EXPECT_GT(compared, 20) << "too few comparisons to mean anything";
  EXPECT_GT(commits.load(), 20) << "too few writes to mean anything";
  EXPECT_GT(kept, 0) << "no first answers used kept caches: nothing kept was compared";
  EXPECT_GT(shared_hits, 0)
      << "no lookup was answered by the shared cache: nothing shared was compared";
  std::printf(
      "kept-cache differential: %d comparisons, %d writer commits, %ld answered from kept caches, "
      "%ld shared-cache hits\n",
      compared, commits.load(), kept, shared_hits);
}

}  // namespace
}  // namespace agentauthz::test
