// Requests as the evaluator sees them: names resolved against the model and
// ids interned. Resolution is where untrusted request strings are checked.
#pragma once

#include <string_view>

#include "core/interner.h"
#include "core/model.h"

namespace agentauthz::core {

struct Object {
  TypeId type = -1;
  Symbol id = 0;
};

struct Subject {
  TypeId type = -1;
  Symbol id = 0;             // Interner::kWildcard for `type:*`
  RelationId relation = -1;  // set for a userset `type:id#relation`

  bool wildcard() const { return id == Interner::kWildcard; }
  bool userset() const { return relation >= 0; }
};

// Resolves request strings against a model, raising Error on anything
// malformed (InvalidArgument) or unknown to the model (UndefinedName).
class RequestResolver {
 public:
  RequestResolver(const Model& model, Interner& interner) : model_(model), interner_(interner) {}

  TypeId type(std::string_view name) const;
  RelationId relation(TypeId type, std::string_view name) const;
  Object object(std::string_view text) const;
  Subject subject(std::string_view text) const;
  // Resolves a subject filter `type` or `type#relation` (list_subjects).
  Subject subject_filter(std::string_view text) const;

 private:
  const Model& model_;
  Interner& interner_;
};

}  // namespace agentauthz::core
