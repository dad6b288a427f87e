#include "pg/query/request_context.h"

#include "core/error.h"
#include "pg/common/guard.h"

namespace agentauthz::pg {

std::string jsonb_text(Jsonb* value) {
  std::string text;
  pg_guard([&] {
    char* printed = JsonbToCString(nullptr, &value->root, static_cast<int>(VARSIZE(value)));
    text = printed;
    pfree(printed);
  });
  return text;
}

core::ConditionContext parse_context(Jsonb* context) {
  if (context == nullptr) return core::ConditionContext();
  if (JB_ROOT_IS_SCALAR(context) || !JB_ROOT_IS_OBJECT(context))
    throw core::Error(core::ErrorKind::InvalidArgument, "the context must be a JSON object");
  return core::ConditionContext::from_json(jsonb_text(context));
}

}  // namespace agentauthz::pg
