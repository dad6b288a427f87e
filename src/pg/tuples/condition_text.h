// A tuple's condition context as the core reads it: the text of a JSON
// value, printed from jsonb (keys sorted and unique, as jsonb keeps them, so
// equal contexts print equal).
#pragma once

#include <string>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Returns the text of a jsonb datum; runs PostgreSQL inside pg_guard.
std::string jsonb_value_text(Jsonb* value);
// Returns the text of one value inside a jsonb document (an object member);
// runs PostgreSQL inside pg_guard.
std::string jsonb_value_text(JsonbValue* value);

}  // namespace agentauthz::pg
