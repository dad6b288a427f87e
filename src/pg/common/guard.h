// The C/C++ boundary. PostgreSQL reports errors by longjmp, which must never
// cross a C++ frame holding objects with destructors; C++ reports errors by
// exceptions, which must never reach PostgreSQL. Two tools keep them apart:
//  - pg_guard(f) runs PostgreSQL calls from C++ and turns a PostgreSQL
//    error into a PgError exception (the guard is the innermost frame);
//  - call_sql_function(impl, fcinfo) runs a SQL-callable function's C++ body
//    and turns every exception into ereport(ERROR) once the C++ frames are
//    gone.
#pragma once

#include <csetjmp>
#include <exception>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// A PostgreSQL error caught by pg_guard, carried as a C++ exception.
class PgError : public std::exception {
 public:
  explicit PgError(ErrorData* data) : data_(data) {}
  const char* what() const noexcept override {
    return data_ && data_->message ? data_->message : "PostgreSQL error";
  }
  ErrorData* data() const { return data_; }

 private:
  ErrorData* data_;  // palloc'd in the context current when the guard was entered
};

// Runs `body` (a function pointer and an argument, so that the guard frame
// itself holds no C++ objects); a PostgreSQL error raised inside becomes a
// thrown PgError.
void guard_call(void (*body)(void*), void* arg);

// Runs PostgreSQL calls from C++ code. `f` must not keep C++ objects with
// destructors alive across the PostgreSQL calls it makes.
template <typename F>
void pg_guard(F&& f) {
  guard_call([](void* p) { (*static_cast<F*>(p))(); }, &f);
}

// Runs a SQL-callable function's C++ implementation; every C++ exception is
// turned into a PostgreSQL ERROR with the right SQLSTATE after unwinding.
Datum call_sql_function(Datum (*impl)(FunctionCallInfo), FunctionCallInfo fcinfo);
// The same for other entry points PostgreSQL calls (callbacks, hooks).
void call_guarded(void (*impl)(void*), void* arg);

}  // namespace agentauthz::pg

// Declares a SQL-callable function whose body is `name##_impl`.
#define AGENTAUTHZ_SQL_FUNCTION(name)                                                             \
  static Datum name##_impl(FunctionCallInfo fcinfo);                                              \
  extern "C" {                                                                                    \
  PG_FUNCTION_INFO_V1(name);                                                                      \
  Datum name(PG_FUNCTION_ARGS) { return agentauthz::pg::call_sql_function(name##_impl, fcinfo); } \
  }                                                                                               \
  static Datum name##_impl(FunctionCallInfo fcinfo)
