#include "pg/engine/pg_reader.h"

#include "pg/common/guard.h"
#include "pg/engine/tuple_scans.h"

namespace agentauthz::pg {

bool PgTupleReader::contains(const core::ObjectKey& object, std::string_view relation,
                             const core::SubjectKey& subject, core::TupleCondition* condition) {
  bool found = false;
  pg_guard([&] { found = scan_contains(object, relation, subject, condition); });
  return found;
}

void PgTupleReader::read_subjects(const core::ObjectKey& object, std::string_view relation,
                                  core::SubjectFilter filter, core::SubjectVisitor visit) {
  pg_guard([&] { scan_subjects(object, relation, filter, visit); });
}

bool PgTupleReader::read_object(const core::ObjectKey& object, size_t limit,
                                core::TupleVisitor visit) {
  bool few = false;
  pg_guard([&] { few = scan_object(object, limit, visit); });
  return few;
}

void PgTupleReader::read_objects(const core::SubjectKey& subject, std::string_view relation,
                                 std::string_view object_type, core::ObjectVisitor visit) {
  pg_guard([&] { scan_objects(subject, relation, object_type, visit); });
}

}  // namespace agentauthz::pg
