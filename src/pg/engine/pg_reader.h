// The core's TupleReader over the adapter's index scans; each call runs the
// scan inside pg_guard so a PostgreSQL error surfaces as a C++ exception.
#pragma once

#include "core/tuple_reader.h"

namespace agentauthz::pg {

class PgTupleReader : public core::TupleReader {
 public:
  bool contains(const core::ObjectKey& object, std::string_view relation,
                const core::SubjectKey& subject, core::TupleCondition* condition) override;
  void read_subjects(const core::ObjectKey& object, std::string_view relation,
                     core::SubjectFilter filter, core::SubjectVisitor visit) override;
  bool read_object(const core::ObjectKey& object, size_t limit, core::TupleVisitor visit) override;
  void read_objects(const core::SubjectKey& subject, std::string_view relation,
                    std::string_view object_type, core::ObjectVisitor visit) override;
};

}  // namespace agentauthz::pg
