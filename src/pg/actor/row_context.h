// The condition values of the row an RLS policy is deciding: protect()'s
// context_columns, passed as a jsonb object to the typed checks and in
// force while that one call decides.
#pragma once

#include "core/json/json_value.h"
#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Puts a row's values in force for the lifetime of the scope (nullptr:
// none); scopes do not nest.
class RowContextScope {
 public:
  explicit RowContextScope(Jsonb* row);
  ~RowContextScope();
  RowContextScope(const RowContextScope&) = delete;
  RowContextScope& operator=(const RowContextScope&) = delete;
};

// The row context argument of a typed check: its fourth argument, when
// protect() passed context_columns.
inline Jsonb* row_context_arg(FunctionCallInfo fcinfo) {
  if (PG_NARGS() <= 3 || PG_ARGISNULL(3)) return nullptr;
  return PG_GETARG_JSONB_P(3);
}

// The row's values in force, or nullptr.
const core::json::Value* current_row_values();

// Whether the row in force has values that did not parse (nesting beyond
// the JSON parser's depth): its decision is a refusal.
bool row_values_unreadable();

}  // namespace agentauthz::pg
