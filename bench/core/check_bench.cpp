// The engine alone, without PostgreSQL: checks per second over the
// in-memory store (an ordered set of strings, slower per lookup than the
// B-tree scans it stands in for) shaped like bench/'s enterprise dataset:
// users, nested groups, a 5-deep folder tree, documents. Shows what the
// evaluator costs apart from index scans and the SQL call.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include "core/evaluator.h"
#include "core/memory_reader.h"
#include "core/model.h"

namespace {

using namespace agentauthz::core;

constexpr const char* kModel = R"(model
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
    define viewer: [user, group#member] or viewer from parent
)";

constexpr int kUsers = 10000;
constexpr int kGroups = 1000;
constexpr int kFolderRoots = 100;
constexpr int kDocuments = 100000;

// Builds the store once: users in groups nested 4 deep, folder chains 5
// deep with a viewer grant at the root, documents with a direct viewer and
// a parent folder at the bottom of a chain.
struct World {
  std::shared_ptr<const Model> model = Model::from_dsl(kModel);
  MemoryReader reader;
  Interner interner;

  World() {
    for (int g = 0; g < kGroups; ++g) {
      if (g >= 4)
        reader.add("group:g" + std::to_string(g), "member",
                   "group:g" + std::to_string(g / 4) + "#member");
    }
    for (int u = 0; u < kUsers; ++u)
      reader.add("group:g" + std::to_string(kGroups / 2 + u % (kGroups / 2)), "member",
                 "user:u" + std::to_string(u));
    for (int r = 0; r < kFolderRoots; ++r) {
      std::string previous = "folder:r" + std::to_string(r) + "_0";
      reader.add(previous, "viewer", "user:u" + std::to_string(r));
      for (int level = 1; level < 5; ++level) {
        std::string folder = "folder:r" + std::to_string(r) + "_" + std::to_string(level);
        reader.add(folder, "parent", previous);
        previous = folder;
      }
    }
    for (int d = 0; d < kDocuments; ++d) {
      std::string doc = "document:d" + std::to_string(d);
      reader.add(doc, "viewer", "user:u" + std::to_string(d % kUsers));
      reader.add(doc, "parent", "folder:r" + std::to_string(d % kFolderRoots) + "_4");
    }
  }
};

World& world() {
  static World w;
  return w;
}

// Runs `pick(i)` -> (subject, object) checks of `viewer`, a fresh memo per
// batch of 1000 as a statement would have.
template <typename Pick>
void run_checks(benchmark::State& state, Pick pick, bool expected) {
  World& w = world();
  Evaluator evaluator(w.model, w.reader, w.interner);
  RequestResolver resolve(*w.model, w.interner);
  RelationId viewer = resolve.relation(resolve.type("document"), "viewer");
  int64_t i = 0;
  for (auto _ : state) {
    auto [subject, object] = pick(i++);
    bool allowed = evaluator.check(resolve.subject(subject), viewer, resolve.object(object));
    if (allowed != expected) state.SkipWithError("unexpected decision");
    if (i % 1000 == 0) evaluator.clear_memo();
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_DirectGrant(benchmark::State& state) {
  run_checks(
      state,
      [](int64_t i) {
        int d = static_cast<int>((i * 7919) % kDocuments);
        return std::make_pair("user:u" + std::to_string(d % kUsers),
                              "document:d" + std::to_string(d));
      },
      true);
}

void BM_FolderInheritedGrant(benchmark::State& state) {
  run_checks(
      state,
      [](int64_t i) {
        int d = static_cast<int>((i * 7919) % kDocuments);
        return std::make_pair("user:u" + std::to_string(d % kFolderRoots),
                              "document:d" + std::to_string(d));
      },
      true);
}

void BM_DeniedRequest(benchmark::State& state) {
  run_checks(
      state,
      [](int64_t i) {
        int d = static_cast<int>((i * 7919) % kDocuments);
        return std::make_pair("user:outsider" + std::to_string(d % 97),
                              "document:d" + std::to_string(d));
      },
      false);
}

}  // namespace

BENCHMARK(BM_DirectGrant);
BENCHMARK(BM_FolderInheritedGrant);
BENCHMARK(BM_DeniedRequest);
BENCHMARK_MAIN();
