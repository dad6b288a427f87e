// libFuzzer target for the evaluator: the input is decoded into a small
// tuple set (some tuples not allowed by the model) and a few questions over
// a fixed model with every rewrite kind. It aborts when list_objects or
// list_subjects holds a duplicate or disagrees with check, or when check
// answers differently on an evaluator that remembers earlier results than
// on a fresh one. Depth errors are fine.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/evaluator.h"
#include "core/interner.h"
#include "core/memory_reader.h"
#include "core/model.h"
#include "core/request.h"

namespace {

using namespace agentauthz::core;

constexpr const char* kModel = R"(model
  schema 1.1
type user
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

const std::vector<std::string> kObjects = {"group:g0",    "group:g1",  "group:g2",    "folder:f0",
                                           "folder:f1",   "folder:f2", "document:d0", "document:d1",
                                           "document:d2", "team:t0",   "team:t1"};

const std::vector<std::string> kSubjects = {"user:u0",
                                            "user:u1",
                                            "user:u2",
                                            "user:*",
                                            "group:g0#member",
                                            "group:g1#member",
                                            "group:g2#member",
                                            "group:g0#admin",
                                            "group:g1#lead",
                                            "team:t0#member",
                                            "team:t1#member",
                                            "document:d0#reader",
                                            "document:d1#reader",
                                            "document:d2#viewer",
                                            "folder:f0",
                                            "folder:f1",
                                            "document:d0",
                                            "group:g0",
                                            "group:g1"};

struct Relation {
  std::string type;
  std::string name;
};

const std::vector<Relation> kRelations = {
    {"group", "member"},      {"group", "admin"},      {"group", "lead"},
    {"folder", "parent"},     {"folder", "owner"},     {"folder", "viewer"},
    {"document", "parent"},   {"document", "owner"},   {"document", "editor"},
    {"document", "viewer"},   {"document", "banned"},  {"document", "reader"},
    {"document", "approver"}, {"document", "auditor"}, {"team", "member"}};

std::string type_of(const std::string& text) { return text.substr(0, text.find(':')); }

std::string filter_of(const std::string& subject) {
  size_t hash = subject.find('#');
  return type_of(subject) + (hash == std::string::npos ? "" : subject.substr(hash));
}

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_evaluator: %s\n", what.c_str());
  std::abort();
}

// Reads the input a byte at a time; zeros once it runs out.
struct Bytes {
  const uint8_t* data;
  size_t size;
  size_t pos = 0;
  bool empty() const { return pos >= size; }
  size_t next(size_t modulo) { return pos < size ? data[pos++] % modulo : 0; }
};

enum class Answer { Denied, Granted, TooDeep };

class Harness {
 public:
  explicit Harness(const std::shared_ptr<const Model>& model)
      : model_(model), warm_(model, reader_, warm_interner_), fresh_interner_() {}

  MemoryReader& reader() { return reader_; }

  // Returns check's answer on a fresh evaluator; aborts when the evaluator
  // that keeps its memo across questions answers differently.
  Answer check(const std::string& subject, const Relation& relation, const std::string& object) {
    Answer fresh = ask(fresh_interner_, nullptr, subject, relation, object);
    Answer warm = ask(warm_interner_, &warm_, subject, relation, object);
    if (fresh != Answer::TooDeep && warm != Answer::TooDeep && fresh != warm)
      fail("check(" + subject + ", " + relation.name + ", " + object +
           ") depends on earlier checks");
    return fresh;
  }

  // Compares list_objects(subject, relation) with check on every object.
  void compare_list_objects(const std::string& subject, const Relation& relation) {
    if (omitted_listing(subject, relation, false) != omitted_listing(subject, relation, true))
      fail("list_objects(" + subject + ", " + relation.name +
           ") leaving out what is too deep differs when read into a sink");
    Evaluator evaluator(model_, reader_, fresh_interner_);
    RequestResolver resolve = evaluator.resolver();
    Subject s = resolve.subject(subject);
    TypeId type = resolve.type(relation.type);
    std::vector<Symbol> ids;
    try {
      evaluator.list_objects(s, resolve.relation(type, relation.name), &ids);
    } catch (const Error& error) {
      if (error.kind() != ErrorKind::DepthExceeded) fail(error.what());
      return;
    }
    std::vector<std::string> listed;
    for (Symbol id : ids) listed.push_back(evaluator.format(Object{type, id}));
    std::string where = "list_objects(" + subject + ", " + relation.name + ")";
    std::sort(listed.begin(), listed.end());
    if (std::adjacent_find(listed.begin(), listed.end()) != listed.end())
      fail(where + " holds a duplicate");
    for (const std::string& object : listed) {
      if (type_of(object) != relation.type) fail(where + " lists " + object);
      if (check(subject, relation, object) == Answer::Denied)
        fail(where + " lists " + object + ", which check denies");
    }
    for (const std::string& object : kObjects) {
      if (type_of(object) != relation.type) continue;
      bool is_listed = std::binary_search(listed.begin(), listed.end(), object);
      if (!is_listed && check(subject, relation, object) == Answer::Granted)
        fail(where + " misses " + object);
    }
  }

  // list_objects(subject, relation) leaving out what is too deep, into a
  // vector or reported to a sink (leaf ids as read, not interned), sorted,
  // repeats dropped.
  std::vector<std::string> omitted_listing(const std::string& subject, const Relation& relation,
                                           bool as_read) {
    Evaluator evaluator(model_, reader_, fresh_interner_);
    RequestResolver resolve = evaluator.resolver();
    TypeId type = resolve.type(relation.type);
    RelationId rel = resolve.relation(type, relation.name);
    std::vector<std::string> names;
    auto interned = [&](Symbol id) { names.push_back(evaluator.format(Object{type, id})); };
    auto read = [&](std::string_view id) {
      names.push_back(relation.type + ":" + std::string(id));
      return true;
    };
    if (as_read) {
      evaluator.list_objects(resolve.subject(subject), rel, Evaluator::ObjectSink{interned, read},
                             Evaluator::BeyondDepth::Omit);
    } else {
      std::vector<Symbol> ids;
      evaluator.list_objects(resolve.subject(subject), rel, &ids, Evaluator::BeyondDepth::Omit);
      for (Symbol id : ids) interned(id);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
  }

  // Compares list_subjects(object, relation, filter) with check on every subject.
  void compare_list_subjects(const std::string& object, const Relation& relation,
                             const std::string& filter) {
    Evaluator evaluator(model_, reader_, fresh_interner_);
    RequestResolver resolve = evaluator.resolver();
    Object o = resolve.object(object);
    std::vector<Subject> found;
    try {
      evaluator.list_subjects(o, resolve.relation(o.type, relation.name),
                              resolve.subject_filter(filter), &found);
    } catch (const Error& error) {
      if (error.kind() != ErrorKind::DepthExceeded) fail(error.what());
      return;
    }
    std::vector<std::string> listed;
    for (const Subject& s : found) listed.push_back(evaluator.format(s));
    std::string where = "list_subjects(" + object + ", " + relation.name + ", " + filter + ")";
    std::sort(listed.begin(), listed.end());
    if (std::adjacent_find(listed.begin(), listed.end()) != listed.end())
      fail(where + " holds a duplicate");
    std::string wildcard = filter + ":*";
    bool wildcard_listed = std::binary_search(listed.begin(), listed.end(), wildcard);
    for (const std::string& subject : listed) {
      if (filter_of(subject) != filter) fail(where + " lists " + subject);
      if (check(subject, relation, object) == Answer::Denied)
        fail(where + " lists " + subject + ", which check denies");
    }
    for (const std::string& subject : kSubjects) {
      if (filter_of(subject) != filter || subject == wildcard) continue;
      bool is_listed = std::binary_search(listed.begin(), listed.end(), subject);
      if (!is_listed && !wildcard_listed && check(subject, relation, object) == Answer::Granted)
        fail(where + " misses " + subject);
    }
  }

 private:
  // Checks with the shared evaluator or a fresh one, depth errors as an answer.
  Answer ask(Interner& interner, Evaluator* shared, const std::string& subject,
             const Relation& relation, const std::string& object) {
    std::unique_ptr<Evaluator> own;
    if (shared == nullptr) own = std::make_unique<Evaluator>(model_, reader_, interner);
    Evaluator& evaluator = shared ? *shared : *own;
    RequestResolver resolve = evaluator.resolver();
    try {
      Object o = resolve.object(object);
      return evaluator.check(resolve.subject(subject), resolve.relation(o.type, relation.name), o)
                 ? Answer::Granted
                 : Answer::Denied;
    } catch (const Error& error) {
      if (error.kind() != ErrorKind::DepthExceeded) fail(error.what());
      return Answer::TooDeep;
    }
  }

  std::shared_ptr<const Model> model_;
  MemoryReader reader_;
  Interner warm_interner_;
  Evaluator warm_;
  Interner fresh_interner_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::shared_ptr<const Model> model = Model::from_dsl(kModel);
  Bytes in{data, size};
  Harness harness(model);
  // Tuples: a count, then (object, relation, subject) index triples. Any
  // combination may come out, most of them not allowed by the model.
  size_t tuples = in.next(48);
  for (size_t i = 0; i < tuples && !in.empty(); ++i) {
    const std::string& object = kObjects[in.next(kObjects.size())];
    std::vector<const Relation*> own;
    for (const Relation& r : kRelations)
      if (r.type == type_of(object)) own.push_back(&r);
    const Relation& relation = *own[in.next(own.size())];
    harness.reader().add(object, relation.name, kSubjects[in.next(kSubjects.size())]);
  }
  // Questions: (subject, relation, object) index triples, at most eight.
  for (int q = 0; q < 8 && !in.empty(); ++q) {
    const std::string& subject = kSubjects[in.next(kSubjects.size())];
    const Relation& relation = kRelations[in.next(kRelations.size())];
    std::vector<const std::string*> objects;
    for (const std::string& o : kObjects)
      if (type_of(o) == relation.type) objects.push_back(&o);
    const std::string& object = *objects[in.next(objects.size())];
    harness.check(subject, relation, object);
    harness.compare_list_objects(subject, relation);
    harness.compare_list_subjects(object, relation, filter_of(subject));
  }
  return 0;
}
