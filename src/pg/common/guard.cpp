#include "pg/common/guard.h"

#include <cstring>
#include <new>

#include "core/error.h"

namespace agentauthz::pg {

namespace {

// Error text is copied here inside catch blocks, where calling PostgreSQL
// (which may longjmp) is forbidden, and reported after leaving them.
struct PendingError {
  int sqlstate = 0;
  char message[1024] = {0};
  char detail[1024] = {0};
  ErrorData* pg = nullptr;
  bool cancelled = false;
};

void copy_text(char* dest, size_t size, const char* src) {
  if (src == nullptr) {
    dest[0] = '\0';
    return;
  }
  std::strncpy(dest, src, size - 1);
  dest[size - 1] = '\0';
}

// Maps a core error kind to its SQLSTATE.
int sqlstate_of(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::InvalidModel:
      return ERRCODE_SYNTAX_ERROR;
    case core::ErrorKind::InvalidArgument:
    case core::ErrorKind::NotAllowed:
    case core::ErrorKind::ConditionFailed:
      return ERRCODE_INVALID_PARAMETER_VALUE;
    case core::ErrorKind::UndefinedName:
      return ERRCODE_UNDEFINED_OBJECT;
    case core::ErrorKind::DepthExceeded:
      return ERRCODE_STATEMENT_TOO_COMPLEX;
    case core::ErrorKind::Cancelled:
      return ERRCODE_QUERY_CANCELED;
    case core::ErrorKind::NotReady:
      return ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE;
    case core::ErrorKind::Unauthorized:
      return ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION;
    case core::ErrorKind::Forbidden:
      return ERRCODE_INSUFFICIENT_PRIVILEGE;
    case core::ErrorKind::LimitExceeded:
      return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
    case core::ErrorKind::Internal:
      break;
  }
  return ERRCODE_INTERNAL_ERROR;
}

// Captures the exception being handled into `out`; calls nothing that can
// longjmp.
void capture_exception(PendingError* out) {
  try {
    throw;
  } catch (const PgError& e) {
    out->pg = e.data();
  } catch (const core::Error& e) {
    out->sqlstate = sqlstate_of(e.kind());
    out->cancelled = e.kind() == core::ErrorKind::Cancelled;
    copy_text(out->message, sizeof out->message, e.what());
    copy_text(out->detail, sizeof out->detail, e.detail().c_str());
  } catch (const std::bad_alloc&) {
    out->sqlstate = ERRCODE_OUT_OF_MEMORY;
    copy_text(out->message, sizeof out->message, "out of memory in agentauthz");
  } catch (const std::exception& e) {
    out->sqlstate = ERRCODE_INTERNAL_ERROR;
    copy_text(out->message, sizeof out->message, e.what());
  } catch (...) {
    out->sqlstate = ERRCODE_INTERNAL_ERROR;
    copy_text(out->message, sizeof out->message, "unknown C++ exception in agentauthz");
  }
}

// Raises the captured error; runs outside every catch block.
[[noreturn]] void raise_pending(const PendingError& pending) {
  if (pending.pg != nullptr) ReThrowError(pending.pg);
  if (pending.cancelled) {
    // The evaluator stopped because an interrupt is pending: let
    // PostgreSQL raise the real reason (cancel, timeout, termination).
    CHECK_FOR_INTERRUPTS();
    check_stack_depth();
  }
  ereport(ERROR, (errcode(pending.sqlstate), errmsg("%s", pending.message),
                  pending.detail[0] ? errdetail("%s", pending.detail) : 0));
  pg_unreachable();
}

}  // namespace

// Runs PostgreSQL code and turns an ERROR it raises into a PgError, the backend's state restored.
void guard_call(void (*body)(void*), void* arg) {
  MemoryContext context = CurrentMemoryContext;
  ResourceOwner owner = CurrentResourceOwner;
  sigjmp_buf* volatile saved_stack = PG_exception_stack;
  ErrorContextCallback* volatile saved_context = error_context_stack;
  sigjmp_buf local;
  if (sigsetjmp(local, 0) == 0) {
    PG_exception_stack = &local;
    try {
      body(arg);
    } catch (...) {
      // A C++ exception leaves the guard as a PostgreSQL error would: with
      // the error stack, memory context and resource owner it found.
      PG_exception_stack = saved_stack;
      error_context_stack = saved_context;
      CurrentResourceOwner = owner;
      MemoryContextSwitchTo(context);
      throw;
    }
    PG_exception_stack = saved_stack;
    error_context_stack = saved_context;
    return;
  }
  // A PostgreSQL error longjmp'd here: copy it and leave PostgreSQL's error
  // state clean before throwing into C++.
  PG_exception_stack = saved_stack;
  error_context_stack = saved_context;
  CurrentResourceOwner = owner;
  MemoryContextSwitchTo(context);
  ErrorData* data = CopyErrorData();
  FlushErrorState();
  throw PgError(data);
}

Datum call_sql_function(Datum (*impl)(FunctionCallInfo), FunctionCallInfo fcinfo) {
  static PendingError pending;
  try {
    return impl(fcinfo);
  } catch (...) {
    pending = PendingError();
    capture_exception(&pending);
  }
  raise_pending(pending);
}

void call_guarded(void (*impl)(void*), void* arg) {
  static PendingError pending;
  try {
    impl(arg);
    return;
  } catch (...) {
    pending = PendingError();
    capture_exception(&pending);
  }
  raise_pending(pending);
}

}  // namespace agentauthz::pg
