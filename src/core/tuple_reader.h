// The storage interface the evaluator reads tuples through. The PostgreSQL
// adapter implements it over index scans; tests and benchmarks use the
// in-memory implementation. Implementations return only live tuples
// (unexpired, visible); type-restriction filtering is the evaluator's job.
// Every key a reader visits carries the condition of the tuple it was read
// from (SubjectKey::condition, ObjectKey::condition), with views valid for
// the visit only.
#pragma once

#include "core/function_ref.h"
#include "core/tuple_key.h"

namespace agentauthz::core {

// Which subjects of an (object, relation) a read should return.
enum class SubjectFilter {
  All,
  UsersetsOnly,  // only `type:id#relation` subjects
};

// Visitors return false to stop the scan early.
using SubjectVisitor = FunctionRef<bool(const SubjectKey&)>;
using ObjectVisitor = FunctionRef<bool(const ObjectKey&)>;
using TupleVisitor = FunctionRef<bool(std::string_view relation, const SubjectKey&)>;

class TupleReader {
 public:
  virtual ~TupleReader() = default;

  // Returns whether the tuple object#relation@subject is live; sets
  // *condition (when given) to its condition, valid until the next read.
  virtual bool contains(const ObjectKey& object, std::string_view relation,
                        const SubjectKey& subject, TupleCondition* condition) = 0;
  // Visits the subjects of the live tuples object#relation.
  virtual void read_subjects(const ObjectKey& object, std::string_view relation,
                             SubjectFilter filter, SubjectVisitor visit) = 0;
  // Visits the subjects of the live tuples object#relation and returns true
  // when there are at most `limit`; returns false as soon as there are more
  // (the visitor may have seen some of them and must discard them). Lets
  // the evaluator read a short list once instead of probing it repeatedly.
  virtual bool read_few_subjects(const ObjectKey& object, std::string_view relation, size_t limit,
                                 SubjectVisitor visit) {
    size_t count = 0;
    bool few = true;
    read_subjects(object, relation, SubjectFilter::All, [&](const SubjectKey& subject) {
      if (++count > limit) return few = false;
      return visit(subject);
    });
    return few;
  }
  // Visits every live tuple of `object` (all relations) and returns true
  // when there are at most `limit`; returns false when there are more, or
  // when the store cannot read by object alone (the caller then reads by
  // relation). One read answers all of a small object's lookups.
  virtual bool read_object(const ObjectKey& object, size_t limit, TupleVisitor visit) {
    (void)object;
    (void)limit;
    (void)visit;
    return false;
  }
  // Visits the objects of type `object_type` having a live tuple
  // object#relation@subject, each once.
  virtual void read_objects(const SubjectKey& subject, std::string_view relation,
                            std::string_view object_type, ObjectVisitor visit) = 0;
};

}  // namespace agentauthz::core
