#include "pg/actor/condition_values_input.h"

#include <string>

#include "core/condition_context.h"
#include "core/error.h"
#include "pg/common/jsonb_text.h"

namespace agentauthz::pg {

namespace {

// Binary jsonb is at most a few times its text (small numbers in arrays
// are the worst): a value far beyond the limit is refused before printing.
constexpr size_t kMaxBinaryFactor = 16;

[[noreturn]] void refuse_size(const char* function) {
  throw core::Error(core::ErrorKind::LimitExceeded,
                    std::string("the context of ") + function + "() is longer than " +
                        std::to_string(kMaxConditionValuesBytes) + " bytes of JSON text");
}

}  // namespace

core::json::Value checked_condition_values(Jsonb* context, const char* function) {
  if (JB_ROOT_IS_SCALAR(context) || !JB_ROOT_IS_OBJECT(context))
    throw core::Error(core::ErrorKind::InvalidArgument,
                      std::string("the context of ") + function + "() must be a JSON object");
  if (VARSIZE(context) - VARHDRSZ > kMaxBinaryFactor * kMaxConditionValuesBytes)
    refuse_size(function);
  std::string text = jsonb_value_text(context);
  if (text.size() > kMaxConditionValuesBytes) refuse_size(function);
  // Parsed as the chain's contexts will be at check time: what cannot be
  // read then (nesting beyond the parser's depth) is refused now.
  return core::ConditionContext::from_json(text).values();
}

}  // namespace agentauthz::pg
