// An in-memory tuple store, for unit tests, fuzzers, benchmarks of the core
// and for contextual tuples.
#pragma once

#include <map>
#include <string>
#include <tuple>

#include "core/tuple_reader.h"

namespace agentauthz::core {

class MemoryReader : public TupleReader {
 public:
  // Adds a tuple (replacing the condition of one already there); all
  // strings must be well-formed (not re-validated).
  void add(std::string_view object, std::string_view relation, std::string_view subject,
           std::string_view condition = {}, std::string_view condition_context = {});
  // Removes a tuple; returns whether it existed.
  bool remove(std::string_view object, std::string_view relation, std::string_view subject);
  bool empty() const { return forward_.empty(); }
  size_t size() const { return forward_.size(); }

  bool contains(const ObjectKey& object, std::string_view relation, const SubjectKey& subject,
                TupleCondition* condition) override;
  void read_subjects(const ObjectKey& object, std::string_view relation, SubjectFilter filter,
                     SubjectVisitor visit) override;
  bool read_object(const ObjectKey& object, size_t limit, TupleVisitor visit) override;
  void read_objects(const SubjectKey& subject, std::string_view relation,
                    std::string_view object_type, ObjectVisitor visit) override;

 private:
  using Key = std::tuple<std::string, std::string, std::string>;
  struct Condition {
    std::string name;
    std::string context;
    TupleCondition view() const { return {name, context}; }
  };
  std::map<Key, Condition> forward_;  // (object, relation, subject)
  std::map<Key, Condition> reverse_;  // (subject, relation, object)
};

}  // namespace agentauthz::core
