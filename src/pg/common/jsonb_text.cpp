#include "pg/common/jsonb_text.h"

#include "pg/common/guard.h"

namespace agentauthz::pg {

std::string jsonb_value_text(Jsonb* value) {
  std::string text;
  pg_guard([&] {
    char* printed = JsonbToCString(nullptr, &value->root, static_cast<int>(VARSIZE(value)));
    text = printed;
    pfree(printed);
  });
  return text;
}

std::string jsonb_value_text(JsonbValue* value) {
  std::string text;
  pg_guard([&] {
    // A container prints as it is; a scalar is wrapped into a document first.
    Jsonb* document = value->type == jbvBinary ? nullptr : JsonbValueToJsonb(value);
    JsonbContainer* container = document ? &document->root : value->val.binary.data;
    int estimate = document ? static_cast<int>(VARSIZE(document)) : value->val.binary.len;
    char* printed = JsonbToCString(nullptr, container, estimate);
    text = printed;
    pfree(printed);
    if (document) pfree(document);
  });
  return text;
}

}  // namespace agentauthz::pg
