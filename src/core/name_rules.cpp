#include "core/name_rules.h"

#include <array>

namespace agentauthz::core {

namespace {

// Words that can never be a name: they would make a relation definition
// ambiguous. (`but not` is one token containing a space, so `but` alone is
// a name.) Other DSL keywords -- module, extend, condition, in, true, false,
// null, model, schema, type, relation -- may name types and relations, as
// OpenFGA's server accepts (its own test models have `type module`).
constexpr std::array<std::string_view, 6> kReservedWords = {
    "and", "or", "from", "with", "define", "relations",
};

// Tells whether c is an ASCII letter.
bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Tells whether name is an identifier of at most max_length bytes.
bool is_identifier(std::string_view name, std::size_t max_length) {
  if (name.empty() || name.size() > max_length || !is_identifier_start(name[0])) {
    return false;
  }
  for (char c : name) {
    if (!is_identifier_char(c)) {
      return false;
    }
  }
  return true;
}

// Tells whether name is a non-reserved identifier of at most max_length bytes.
bool is_valid_name(std::string_view name, std::size_t max_length) {
  return is_identifier(name, max_length) && !is_reserved_word(name);
}

}  // namespace

// Tells whether c may start an identifier: an ASCII letter or '_'.
bool is_identifier_start(char c) { return is_ascii_letter(c) || c == '_'; }

// Tells whether c may continue an identifier: letter, digit, '_' or '-'.
bool is_identifier_char(char c) {
  return is_ascii_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// Tells whether word is a DSL keyword that can never be a name.
bool is_reserved_word(std::string_view word) {
  for (std::string_view reserved : kReservedWords) {
    if (word == reserved) {
      return true;
    }
  }
  return false;
}

// Tells whether name can name a type.
bool is_valid_type_name(std::string_view name) { return is_valid_name(name, kMaxTypeNameLength); }

// Tells whether name can name a relation.
bool is_valid_relation_name(std::string_view name) {
  return is_valid_name(name, kMaxRelationNameLength);
}

// Tells whether name can name a condition.
bool is_valid_condition_name(std::string_view name) {
  return is_valid_name(name, kMaxConditionNameLength);
}

// Tells whether name can name a condition parameter.
bool is_valid_parameter_name(std::string_view name) {
  return is_identifier(name, kMaxParameterNameLength);
}

}  // namespace agentauthz::core
