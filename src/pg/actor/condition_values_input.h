// The condition values a trusted source passes in: the context argument of
// delegate(), subdelegate() and set_context().
#pragma once

#include <cstddef>

#include "core/json/json_value.h"
#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// The largest context accepted, as JSON text: a delegation's context is
// read with its chain at every statement that checks for it.
inline constexpr size_t kMaxConditionValuesBytes = 8192;

// Returns the values of a context argument of `function`: a JSON object of
// at most kMaxConditionValuesBytes as text. Throws core::Error
// (InvalidArgument) for anything but an object, (LimitExceeded) beyond the
// size.
core::json::Value checked_condition_values(Jsonb* context, const char* function);

}  // namespace agentauthz::pg
