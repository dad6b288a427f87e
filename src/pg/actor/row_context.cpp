#include "pg/actor/row_context.h"

#include <optional>
#include <string>

#include "core/error.h"
#include "core/json/json_parse.h"
#include "pg/common/jsonb_text.h"

namespace agentauthz::pg {

namespace {

std::optional<core::json::Value> row_values;
bool row_unreadable = false;

}  // namespace

RowContextScope::RowContextScope(Jsonb* row) {
  row_values.reset();
  row_unreadable = false;
  if (row == nullptr) return;
  if (JB_ROOT_IS_SCALAR(row) || !JB_ROOT_IS_OBJECT(row))
    throw core::Error(core::ErrorKind::InvalidArgument, "a row's context must be a JSON object");
  core::json::Value value;
  std::string error;
  // A row whose values nest deeper than the parser takes is refused
  // (decide()), never every reader's whole statement.
  if (!core::json::parse(jsonb_value_text(row), &value, &error)) {
    row_unreadable = true;
    return;
  }
  row_values = std::move(value);
}

RowContextScope::~RowContextScope() {
  row_values.reset();
  row_unreadable = false;
}

bool row_values_unreadable() { return row_unreadable; }

const core::json::Value* current_row_values() { return row_values ? &*row_values : nullptr; }

}  // namespace agentauthz::pg
