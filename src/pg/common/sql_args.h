// Helpers for reading SQL arguments and building results. They call
// PostgreSQL: use them before C++ objects are created in a frame, or inside
// pg_guard.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/id_list.h"
#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Returns a text argument as a view of its (detoasted) bytes.
inline std::string_view text_arg(FunctionCallInfo fcinfo, int n) {
  text* t = PG_GETARG_TEXT_PP(n);
  return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// Raises an ERROR (22004) naming the first argument that is NULL; for
// functions that must not quietly return NULL for a NULL argument.
inline void require_arguments(FunctionCallInfo fcinfo, std::initializer_list<const char*> names) {
  int n = 0;
  for (const char* name : names) {
    if (PG_ARGISNULL(n))
      ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                      errmsg("argument \"%s\" must not be null", name)));
    ++n;
  }
}

// Returns a text datum for `s`, allocated in the current memory context.
inline Datum text_datum(std::string_view s) {
  return PointerGetDatum(cstring_to_text_with_len(s.data(), static_cast<int>(s.size())));
}

// Returns a bytea datum holding `length` bytes.
inline Datum bytea_datum(const uint8* bytes, size_t length) {
  auto* b = static_cast<bytea*>(palloc(VARHDRSZ + length));
  SET_VARSIZE(b, VARHDRSZ + length);
  memcpy(VARDATA(b), bytes, length);
  return PointerGetDatum(b);
}

// Spells a uuid as uuid_out does (lower case, 8-4-4-4-12) into `out`
// (36 bytes); returns the spelling.
std::string_view uuid_text(const pg_uuid_t* uuid, char* out);

// Prepares `query` into *slot once, for the life of the backend; PostgreSQL
// re-plans it when the tables it names are replaced.
SPIPlanPtr kept_plan(SPIPlanPtr* slot, const char* query, int nargs, Oid* types);

// Whether the current role is a superuser or has the privileges of one of
// the named roles (a role that does not exist grants nothing).
bool current_role_is_one_of(std::initializer_list<const char*> roles);
// Refuses (42501, "permission denied for <function>", `hint`) unless the
// current role is a superuser or has agentauthz_admin's privileges.
void require_admin(const char* function, const char* hint);

// Returns a set-returning function's rows, one text column each.
Datum return_text_set(FunctionCallInfo fcinfo, const std::vector<std::string>& rows);
// Returns a text set of `prefix` followed by each id, built in one buffer.
Datum return_text_set(FunctionCallInfo fcinfo, std::string_view prefix, const core::IdList& ids);
// The row a function declared with OUT parameters returns, from its
// columns' values and nulls (as many as it declares). Call inside pg_guard.
Datum row_datum(FunctionCallInfo fcinfo, Datum* values, bool* nulls);

}  // namespace agentauthz::pg
