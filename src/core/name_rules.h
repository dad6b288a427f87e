// The identifier rule of the OpenFGA DSL (schema 1.1): which strings can
// name a type, a relation, a condition or a condition parameter. The parser uses it for definitions
// and the request validators use it to reject malformed names before any lookup.
#pragma once

#include <cstddef>
#include <string_view>

namespace agentauthz::core {

// OpenFGA's API limits (`^[^:#@\s]{1,254}$` for types, `^[^:#@\s]{1,50}$`
// for relations, conditions and condition parameters).
inline constexpr std::size_t kMaxTypeNameLength = 254;
inline constexpr std::size_t kMaxRelationNameLength = 50;
inline constexpr std::size_t kMaxConditionNameLength = 50;
inline constexpr std::size_t kMaxParameterNameLength = 50;

// Tells whether c may start an identifier: an ASCII letter or '_'.
bool is_identifier_start(char c);

// Tells whether c may continue an identifier: letter, digit, '_' or '-'.
bool is_identifier_char(char c);

// Tells whether word is a DSL keyword that can never be a name (`and`,
// `define`, ...). `model`, `schema`, `type` and `relation` are keywords too,
// but the grammar lets them name types and relations, so they are not
// reserved here.
bool is_reserved_word(std::string_view word);

// Tells whether name can name a type: an identifier of at most 254 bytes
// that is not a reserved word.
bool is_valid_type_name(std::string_view name);

// Tells whether name can name a relation: an identifier of at most 50 bytes
// that is not a reserved word.
bool is_valid_relation_name(std::string_view name);

// Tells whether name can name a condition: an identifier of at most 50
// bytes that is not a reserved word (`with and` would be ambiguous).
bool is_valid_condition_name(std::string_view name);

// Tells whether name can name a condition parameter: an identifier of at
// most 50 bytes. A parameter list has no keywords (OpenFGA lexes it in a
// mode of its own), so reserved words are names there.
bool is_valid_parameter_name(std::string_view name);

}  // namespace agentauthz::core
