// The textual forms of objects (`type:id`) and subjects (`type:id`,
// `type:*`, `type:id#relation`): strict parsing of untrusted input, and fast
// splitting of stored keys that were validated when written.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace agentauthz::core {

// Limits follow OpenFGA's: longer strings are rejected, never truncated.
constexpr size_t kMaxObjectLength = 256;
constexpr size_t kMaxSubjectLength = 512;
constexpr size_t kMaxTypeNameLength = 254;
constexpr size_t kMaxRelationNameLength = 50;

// The condition a stored tuple carries: its name and its context (the text
// of a JSON object, empty for none). Both empty for an unconditional tuple.
struct TupleCondition {
  std::string_view name;
  std::string_view context;

  bool empty() const { return name.empty(); }
};

struct ObjectKey {
  std::string_view type;
  std::string_view id;
  TupleCondition condition{};  // as read from a tuple (TupleReader); empty otherwise
};

struct SubjectKey {
  std::string_view type;
  std::string_view id;         // "*" for a wildcard
  std::string_view relation;   // empty unless a userset
  TupleCondition condition{};  // as read from a tuple (TupleReader); empty otherwise

  bool is_wildcard() const { return id == "*"; }
  bool is_userset() const { return !relation.empty(); }
};

// Parses an object `type:id`; throws Error(InvalidArgument) when malformed.
ObjectKey parse_object(std::string_view text);
// Parses an object like parse_object; returns false instead of throwing.
bool try_parse_object(std::string_view text, ObjectKey* key);
// Parses a subject `type:id`, `type:*` or `type:id#relation`; throws when malformed.
SubjectKey parse_subject(std::string_view text);
// Throws Error(InvalidArgument) unless `relation` is a well-formed relation name.
void check_relation_name(std::string_view relation);
// Throws Error(InvalidArgument) unless `type` is a well-formed type name.
void check_type_name(std::string_view type);

// Splits a stored object; the caller guarantees it was validated on write.
ObjectKey split_object(std::string_view text);
// Splits a stored subject; the caller guarantees it was validated on write.
SubjectKey split_subject(std::string_view text);

// Formats keys back to text.
std::string format_object(std::string_view type, std::string_view id);
std::string format_subject(const SubjectKey& subject);

// Returns `text` quoted for an error message: control characters escaped,
// long input shortened.
std::string quote_for_message(std::string_view text);

}  // namespace agentauthz::core
