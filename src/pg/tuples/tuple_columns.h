// The columns of agentauthz.tuples, which C code reads by number: fixed by
// agentauthz--*.sql (0.5 appended the condition) and checked by name when
// the table is first opened (check_columns).
#pragma once

#include "pg/catalog/relations.h"
#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

constexpr AttrNumber kObjectAttr = 1;
constexpr AttrNumber kRelationAttr = 2;
constexpr AttrNumber kSubjectAttr = 3;
constexpr AttrNumber kExpiresAttr = 4;
constexpr AttrNumber kConditionNameAttr = 6;
constexpr AttrNumber kConditionContextAttr = 7;
constexpr int kTupleColumns = 7;
constexpr int kPlainTupleColumns = 5;  // before 0.5: no condition columns

// The names of columns 1 to kTupleColumns, in order.
inline const char* const kTupleColumnNames[kTupleColumns] = {
    "object",     "relation",       "subject",          "expires_at",
    "created_at", "condition_name", "condition_context"};

// Every index on the table is (three keys) INCLUDE (expires_at,
// condition_name): an index tuple alone tells whether a tuple has expired
// and whether it carries a condition.
constexpr int kIndexExpiresAttr = 4;
constexpr int kIndexConditionNameAttr = 5;
constexpr int kIndexColumns = 5;

// Checks the table's columns by name (raising ERROR when they are not the
// expected ones) and returns whether it has the condition columns. An
// installation not yet updated to 0.5 has none: all its tuples are
// unconditional.
inline bool check_tuple_columns(Relation tuples) {
  bool conditions = RelationGetDescr(tuples)->natts >= kTupleColumns;
  check_columns(tuples, kTupleColumnNames, conditions ? kTupleColumns : kPlainTupleColumns);
  return conditions;
}

}  // namespace agentauthz::pg
