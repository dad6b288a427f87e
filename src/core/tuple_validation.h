// Whether a tuple may be stored under a model: every write path (write_tuple,
// INSERT, COPY) and every contextual tuple goes through here.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/model.h"
#include "core/tuple_key.h"

namespace agentauthz::core {

// Limits on a tuple's condition as written: longer names and contexts are
// refused, never truncated (a context is stored and read with the tuple).
constexpr size_t kMaxConditionNameLength = 256;
constexpr size_t kMaxConditionContextLength = size_t{32} * 1024;

// A tuple's condition as a write path received it; either part may be
// absent (SQL NULL, or no member in a contextual tuple). The context is the
// text of a JSON value, which must be an object.
struct ConditionInput {
  std::optional<std::string_view> name;
  std::optional<std::string_view> context;
};

struct ValidatedTuple {
  ObjectKey object;
  SubjectKey subject;
  TypeId object_type = -1;
  RelationId relation = -1;
  ConditionId condition = -1;  // -1 for an unconditional tuple
};

// Parses and checks a tuple and its condition against the model's type
// restrictions and the condition's parameters; throws Error explaining why
// not: InvalidArgument (malformed, or a context that does not fit the
// condition), UndefinedName (an unknown type, relation or condition),
// NotAllowed (the restriction allows no such tuple) or LimitExceeded (a
// context longer than kMaxConditionContextLength).
ValidatedTuple validate_tuple(const Model& model, std::string_view object,
                              std::string_view relation, std::string_view subject,
                              const ConditionInput& condition = {});

}  // namespace agentauthz::core
