// The storage interface the evaluator reads tuples through. The PostgreSQL
// adapter implements it over index scans; tests and benchmarks use the
// in-memory implementation. Implementations return only live tuples
// (unexpired, visible); type-restriction filtering is the evaluator's job.
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

class TupleReader {
 public:
  virtual ~TupleReader() = default;

  // Returns whether the tuple object#relation@subject is live.
  virtual bool contains(const ObjectKey& object, std::string_view relation,
                        const SubjectKey& subject) = 0;
  // Visits the subjects of the live tuples object#relation.
  virtual void read_subjects(const ObjectKey& object, std::string_view relation,
                             SubjectFilter filter, SubjectVisitor visit) = 0;
  // Visits the objects of type `object_type` having a live tuple
  // object#relation@subject, each once.
  virtual void read_objects(const SubjectKey& subject, std::string_view relation,
                            std::string_view object_type, ObjectVisitor visit) = 0;
};

}  // namespace agentauthz::core
