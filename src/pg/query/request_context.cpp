#include "pg/query/request_context.h"

#include "core/error.h"
#include "pg/common/jsonb_text.h"

namespace agentauthz::pg {

core::ConditionContext parse_context(Jsonb* context) {
  if (context == nullptr) return core::ConditionContext();
  if (JB_ROOT_IS_SCALAR(context) || !JB_ROOT_IS_OBJECT(context))
    throw core::Error(core::ErrorKind::InvalidArgument, "the context must be a JSON object");
  return core::ConditionContext::from_json(jsonb_value_text(context));
}

}  // namespace agentauthz::pg
