// A request's `context` argument: the values tuples' conditions are
// evaluated with.
#pragma once

#include <string>

#include "core/condition_context.h"
#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Reads a context argument (NULL: no values); throws core::Error
// (InvalidArgument) unless it is a JSON object.
core::ConditionContext parse_context(Jsonb* context);

}  // namespace agentauthz::pg
