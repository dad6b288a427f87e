// Direct index scans over agentauthz.tuples under the statement's snapshot
// (scan_session.h): each scan is opened on first use and reused by every
// lookup of the statement, rescanned with new keys. Only live tuples are
// visited: visible and not expired at the transaction's timestamp. Each key
// visited carries its tuple's condition (valid for the visit): the name
// from the index tuple, the context printed as JSON from the heap tuple,
// fetched only for a conditional tuple.
//
// These functions call PostgreSQL and may raise ERROR (longjmp): call them
// from C++ only inside pg_guard, and keep no C++ objects alive in frames
// below them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/tuple_key.h"
#include "core/tuple_reader.h"
#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Point lookup of one live tuple; sets *condition (when given) to its
// condition, valid until the next point lookup.
bool scan_contains(const core::ObjectKey& object, std::string_view relation,
                   const core::SubjectKey& subject, core::TupleCondition* condition);
// Visits the subjects of live tuples object#relation.
void scan_subjects(const core::ObjectKey& object, std::string_view relation,
                   core::SubjectFilter filter, core::SubjectVisitor visit);
// Visits the live tuples of `object` (every relation); returns false as soon
// as there are more than `limit`.
bool scan_object(const core::ObjectKey& object, size_t limit, core::TupleVisitor visit);
// Visits the objects of `object_type` with a live tuple object#relation@subject.
void scan_objects(const core::SubjectKey& subject, std::string_view relation,
                  std::string_view object_type, core::ObjectVisitor visit);

}  // namespace agentauthz::pg
