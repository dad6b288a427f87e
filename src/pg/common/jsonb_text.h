// jsonb as JSON text, the form the core reads contexts in (keys sorted and
// unique, as jsonb keeps them, so equal values print equal).
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
