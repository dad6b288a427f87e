// Shared helpers for the evaluator tests: a model, an in-memory tuple store
// and an evaluator behind a string-based API, so that a test reads like the
// tuples and questions it is about.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "core/evaluator.h"
#include "core/interner.h"
#include "core/memory_reader.h"
#include "core/model.h"
#include "core/tuple_reader.h"

namespace agentauthz::core::testing {

// Prepends the header every model needs.
inline std::string with_header(std::string_view body) {
  return "model\n  schema 1.1\n" + std::string(body);
}

// A tuple written as `object#relation@subject`, split into its parts.
struct TupleText {
  std::string object;
  std::string relation;
  std::string subject;
};

// Splits `object#relation@subject` (the subject may itself hold a '#').
inline TupleText split_tuple(std::string_view text) {
  size_t hash = text.find('#');
  size_t at = text.find('@', hash);
  if (hash == std::string_view::npos || at == std::string_view::npos) {
    ADD_FAILURE() << "malformed test tuple " << text;
    return {};
  }
  return TupleText{std::string(text.substr(0, hash)),
                   std::string(text.substr(hash + 1, at - hash - 1)),
                   std::string(text.substr(at + 1))};
}

// Sorts names and fails the current test when one appears twice.
inline std::vector<std::string> sorted_without_duplicates(std::vector<std::string> names,
                                                          std::string_view what) {
  std::sort(names.begin(), names.end());
  auto twice = std::adjacent_find(names.begin(), names.end());
  if (twice != names.end()) ADD_FAILURE() << what << " returned " << *twice << " twice";
  return names;
}

// A model, a tuple store and an evaluator over them.
class EvalFixture {
 public:
  explicit EvalFixture(std::string_view body, EvalOptions options = {})
      : model_(Model::from_dsl(with_header(body))),
        evaluator_(std::make_unique<Evaluator>(model_, reader_, interner_, std::move(options))) {}

  // Replaces the model (as a new model version would), keeping the tuples.
  void set_model(std::string_view body, EvalOptions options = {}) {
    model_ = Model::from_dsl(with_header(body));
    evaluator_ = std::make_unique<Evaluator>(model_, reader_, interner_, std::move(options));
  }

  // Stores tuples, unvalidated, and forgets remembered results.
  void add(std::initializer_list<std::string_view> tuples) {
    for (std::string_view text : tuples) {
      TupleText t = split_tuple(text);
      reader_.add(t.object, t.relation, t.subject);
    }
    evaluator_->clear_memo();
  }

  // Stores a list of tuples, unvalidated, and forgets remembered results.
  void add_all(const std::vector<std::string>& tuples) {
    for (const std::string& text : tuples) {
      TupleText t = split_tuple(text);
      reader_.add(t.object, t.relation, t.subject);
    }
    evaluator_->clear_memo();
  }

  // Deletes a tuple and forgets remembered results.
  void remove(std::string_view text) {
    TupleText t = split_tuple(text);
    EXPECT_TRUE(reader_.remove(t.object, t.relation, t.subject)) << "no tuple " << text;
    evaluator_->clear_memo();
  }

  // Returns check(subject, relation, object).
  bool check(std::string_view subject, std::string_view relation, std::string_view object) {
    RequestResolver resolve = evaluator_->resolver();
    Object o = resolve.object(object);
    return evaluator_->check(resolve.subject(subject), resolve.relation(o.type, relation), o);
  }

  // Returns explain(subject, relation, object) and fills *proof.
  bool explain(std::string_view subject, std::string_view relation, std::string_view object,
               Proof* proof) {
    RequestResolver resolve = evaluator_->resolver();
    Object o = resolve.object(object);
    return evaluator_->explain(resolve.subject(subject), resolve.relation(o.type, relation), o,
                               proof);
  }

  // Returns list_objects as sorted `type:id` strings (failing on duplicates).
  std::vector<std::string> objects(std::string_view subject, std::string_view relation,
                                   std::string_view type,
                                   Evaluator::BeyondDepth beyond = Evaluator::BeyondDepth::Raise) {
    RequestResolver resolve = evaluator_->resolver();
    TypeId t = resolve.type(type);
    std::vector<Symbol> ids;
    evaluator_->list_objects(resolve.subject(subject), resolve.relation(t, relation), &ids, beyond);
    std::vector<std::string> names;
    for (Symbol id : ids) names.push_back(evaluator_->format(Object{t, id}));
    return sorted_without_duplicates(std::move(names), "list_objects");
  }

  // Returns list_objects as reported to a sink -- ids read from tuples not
  // interned -- as sorted `type:id` strings without repeats; `read` counts
  // the ids reported as read (as it goes), the sink stopping the listing
  // at the `max_read`th.
  // Throws what the listing throws; an incomplete listing returns its
  // partial list.
  std::vector<std::string> objects_as_read(
      std::string_view subject, std::string_view relation, std::string_view type,
      size_t* read = nullptr, Evaluator::BeyondDepth beyond = Evaluator::BeyondDepth::Omit,
      size_t max_read = SIZE_MAX, bool* complete = nullptr) {
    RequestResolver resolve = evaluator_->resolver();
    TypeId t = resolve.type(type);
    std::vector<std::string> names;
    size_t read_ids = 0;
    if (read != nullptr) *read = 0;
    auto interned = [&](Symbol id) { names.push_back(evaluator_->format(Object{t, id})); };
    auto as_read = [&](std::string_view id) {
      if (read != nullptr) *read = ++read_ids;
      names.push_back(std::string(type) + ":" + std::string(id));
      return read_ids < max_read;
    };
    bool done = evaluator_->list_objects(resolve.subject(subject), resolve.relation(t, relation),
                                         Evaluator::ObjectSink{interned, as_read}, beyond);
    if (complete != nullptr) *complete = done;
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }

  // Returns list_subjects as sorted strings (failing on duplicates).
  std::vector<std::string> subjects(std::string_view object, std::string_view relation,
                                    std::string_view filter) {
    RequestResolver resolve = evaluator_->resolver();
    Object o = resolve.object(object);
    std::vector<Subject> found;
    evaluator_->list_subjects(o, resolve.relation(o.type, relation), resolve.subject_filter(filter),
                              &found);
    std::vector<std::string> names;
    for (const Subject& s : found) names.push_back(evaluator_->format(s));
    return sorted_without_duplicates(std::move(names), "list_subjects");
  }

  Evaluator& evaluator() { return *evaluator_; }
  const Model& model() const { return *model_; }
  std::shared_ptr<const Model> model_ptr() const { return model_; }
  MemoryReader& reader() { return reader_; }
  Interner& interner() { return interner_; }

 private:
  std::shared_ptr<const Model> model_;
  MemoryReader reader_;
  Interner interner_;
  std::unique_ptr<Evaluator> evaluator_;
};

// A fixed model with every rewrite kind, and random tuple sets over a small
// universe of objects, for the property tests. Relations up to document
// `viewer` are unions only (monotone); `lead`, `banned`, `reader`,
// `approver`, `auditor` and team `member` involve intersections or
// exclusions, and team members may be document readers, so exclusions can
// sit on cycles.
struct RandomGraph {
  static constexpr const char* kModel = R"(type user
type group
  relations
    define member: [user, user:*, group#member]
    define admin: [user, group#member]
    define lead: member and admin
type folder
  relations
    define parent: [folder]
    define owner: [user, group#member]
    define viewer: [user, user:*, group#member] or owner or viewer from parent
    define banned: [user, user:*, group#member]
type document
  relations
    define parent: [folder, document, group]
    define owner: [user, group#member]
    define editor: [user, group#member] or owner or owner from parent
    define viewer: [user, user:*, group#member] or editor or viewer from parent
    define banned: [user, user:*, group#member, team#member] or banned from parent
    define reader: viewer but not banned
    define approver: (editor and member from parent) but not (banned or lead from parent)
    define auditor: [user:*, group#lead] and (viewer or admin from parent)
type team
  relations
    define member: [user, team#member, document#reader]
)";

  // Every object of the universe.
  static std::vector<std::string> objects() {
    return {"group:g1",    "group:g2",    "group:g3",    "folder:f1", "folder:f2",
            "document:d1", "document:d2", "document:d3", "team:t1",   "team:t2"};
  }

  // The subjects the property tests ask about: plain, wildcard, usersets.
  static std::vector<std::string> subjects() {
    return {// users and the wildcard
            "user:u1", "user:u2", "user:u3", "user:*",
            // objects as plain subjects
            "group:g1", "folder:f1",
            // usersets, monotone and not
            "group:g1#member", "group:g2#member", "group:g3#member", "group:g1#admin",
            "group:g2#admin", "group:g1#lead", "group:g2#lead", "team:t1#member",
            "document:d1#reader", "document:d2#viewer"};
  }

  // Relations of each object type (`type#relation`) the tests query.
  static std::vector<std::string> relations_of(std::string_view type) {
    if (type == "group") return {"member", "admin", "lead"};
    if (type == "folder") return {"parent", "owner", "viewer", "banned"};
    if (type == "document")
      return {"parent", "owner", "editor", "viewer", "banned", "reader", "approver", "auditor"};
    return {"member"};
  }

  // Returns up to `count` distinct random tuples, about one in five not
  // allowed by the model (type-restriction filtering must hide those).
  static std::vector<std::string> tuples(std::mt19937& rng, int count) {
    // (object type, relation, the subjects it allows).
    struct Shape {
      const char* type;
      const char* relation;
      std::vector<std::string> subjects;
    };
    const std::vector<std::string> users = {"user:u1", "user:u2", "user:u3"};
    auto plus = [](std::vector<std::string> a, const std::vector<std::string>& b) {
      a.insert(a.end(), b.begin(), b.end());
      return a;
    };
    const std::vector<std::string> wildcard = {"user:*"};
    const std::vector<std::string> members = {"group:g1#member", "group:g2#member",
                                              "group:g3#member"};
    const std::vector<std::string> leads = {"group:g1#lead", "group:g2#lead"};
    const std::vector<std::string> teams = {"team:t1#member", "team:t2#member"};
    const std::vector<std::string> readers = {"document:d1#reader", "document:d2#reader",
                                              "document:d3#reader"};
    const std::vector<std::string> folders = {"folder:f1", "folder:f2"};
    const std::vector<std::string> documents = {"document:d1", "document:d2", "document:d3"};
    const std::vector<std::string> groups = {"group:g1", "group:g2", "group:g3"};
    const std::vector<Shape> shapes = {
        {"group", "member", plus(plus(users, wildcard), members)},
        {"group", "admin", plus(users, members)},
        {"folder", "parent", folders},
        {"folder", "owner", plus(users, members)},
        {"folder", "viewer", plus(plus(users, wildcard), members)},
        {"folder", "banned", plus(plus(users, wildcard), members)},
        {"document", "parent", plus(plus(folders, documents), groups)},
        {"document", "owner", plus(users, members)},
        {"document", "editor", plus(users, members)},
        {"document", "viewer", plus(plus(users, wildcard), members)},
        {"document", "banned", plus(plus(plus(users, wildcard), members), teams)},
        {"document", "auditor", plus(wildcard, leads)},
        {"team", "member", plus(plus(users, teams), readers)},
    };
    // Anything goes for the invalid ones: subjects of every shape.
    std::vector<std::string> any = plus(plus(plus(users, wildcard), members), leads);
    any = plus(plus(plus(any, teams), readers), plus(plus(folders, documents), groups));
    any.push_back("group:g1#admin");
    auto pick = [&rng](const auto& list) -> const auto& {
      return list[std::uniform_int_distribution<size_t>(0, list.size() - 1)(rng)];
    };
    std::vector<std::string> out;
    for (int i = 0; i < count; ++i) {
      std::string tuple;
      if (std::uniform_int_distribution<int>(0, 4)(rng) == 0) {
        std::string object = pick(objects());
        std::string type = object.substr(0, object.find(':'));
        tuple = object + "#" + pick(relations_of(type)) + "@" + pick(any);
      } else {
        const Shape& shape = pick(shapes);
        std::string prefix = std::string(shape.type) + ":";
        std::vector<std::string> candidates;
        for (const std::string& o : objects())
          if (o.compare(0, prefix.size(), prefix) == 0) candidates.push_back(o);
        tuple = pick(candidates) + "#" + shape.relation + "@" + pick(shape.subjects);
      }
      if (std::find(out.begin(), out.end(), tuple) == out.end()) out.push_back(tuple);
    }
    return out;
  }
};

// Shorthand for an expected list result.
using Names = std::vector<std::string>;

}  // namespace agentauthz::core::testing
