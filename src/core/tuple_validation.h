// Whether a tuple may be stored under a model: every write path (write_tuple,
// INSERT, COPY) and every contextual tuple goes through here.
#pragma once

#include <string_view>

#include "core/model.h"
#include "core/tuple_key.h"

namespace agentauthz::core {

struct ValidatedTuple {
  ObjectKey object;
  SubjectKey subject;
  TypeId object_type = -1;
  RelationId relation = -1;
};

// Parses and checks a tuple against the model's type restrictions; throws
// Error (InvalidArgument, UndefinedName or NotAllowed) explaining why not.
ValidatedTuple validate_tuple(const Model& model, std::string_view object,
                              std::string_view relation, std::string_view subject);

}  // namespace agentauthz::core
