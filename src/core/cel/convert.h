// Converts a condition's JSON context values to its parameters' declared
// types, with the rules and messages of OpenFGA's
// internal/condition/types/converters.go: numbers (or numeric strings) to
// int/uint/double, RFC 3339 strings to timestamps, Go duration strings to
// durations, address strings to ipaddress, and lists and maps item by item.
// Unlike OpenFGA (which reads JSON numbers as float64) integers convert
// exactly from their text, and out-of-range integers are refused.
#pragma once

#include <string>
#include <vector>

#include "core/cel/program.h"
#include "core/cel/types.h"
#include "core/cel/value.h"
#include "core/json/json_value.h"

namespace agentauthz::core::cel {

// Converts one value. On failure returns null and sets *error, e.g.
// "expected type value 'string', but found 'bool'".
Value convert(const json::Value& value, const Type& type, std::string* error);

// Binds the members of a context object that name declared parameters
// (others are ignored, as in OpenFGA's evaluation) into *activation, as
// OpenFGA's CastContextToTypedParameters. On failure returns false with
// *error like "failed to convert context parameter 'x': ..." (OpenFGA
// prefixes "parameter type error on condition '<name>': ").
bool bind_context(const json::Value& context, const std::vector<Parameter>& parameters,
                  Activation* activation, std::string* error);

}  // namespace agentauthz::core::cel
