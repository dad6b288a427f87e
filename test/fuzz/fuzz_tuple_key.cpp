// libFuzzer target for tuple keys: arbitrary bytes go through the strict
// parsers and validate_tuple. Whatever parses formats back to the same
// bytes and holds no separator, whitespace or control character in any
// part; whatever validates is allowed by the model.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/model.h"
#include "core/scope.h"
#include "core/token.h"
#include "core/tuple_key.h"
#include "core/tuple_validation.h"

namespace {

using namespace agentauthz::core;

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_tuple_key: %s: %s\n", what, quote_for_message(input).c_str());
  std::abort();
}

// Fails unless the part is non-empty and free of ASCII whitespace, control
// characters and the separators `:` and `#` (ids may be `*` only whole).
void expect_clean(std::string_view part, std::string_view input) {
  if (part.empty()) fail("empty part accepted", input);
  for (unsigned char c : part)
    if (c <= 0x20 || c == 0x7f || c == ':' || c == '#') fail("forbidden byte accepted", input);
}

// Returns the model whose types the fuzzed tuples name.
const Model& model() {
  static const std::shared_ptr<const Model> compiled = Model::from_dsl(R"(model
  schema 1.1
type user
type group
  relations
    define member: [user, user:*, group#member]
type folder
  relations
    define parent: [folder]
    define viewer: [user, group#member] or viewer from parent
type document
  relations
    define parent: [folder]
    define blocked: [user]
    define viewer: [user, user:*] or viewer from parent
    define reader: viewer but not blocked
)");
  return *compiled;
}

// Parses `text` every way it can be read.
void parse_alone(std::string_view text) {
  try {
    ObjectKey key = parse_object(text);
    if (format_object(key.type, key.id) != text) fail("object does not round-trip", text);
    expect_clean(key.type, text);
    expect_clean(key.id, text);
    if (key.id == "*") fail("wildcard object accepted", text);
    if (text.size() > kMaxObjectLength) fail("long object accepted", text);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::InvalidArgument) fail("object error of the wrong kind", text);
  }
  try {
    SubjectKey key = parse_subject(text);
    if (format_subject(key) != text) fail("subject does not round-trip", text);
    SubjectKey split = split_subject(text);
    if (split.type != key.type || split.id != key.id || split.relation != key.relation)
      fail("split_subject disagrees with parse_subject", text);
    expect_clean(key.type, text);
    expect_clean(key.id, text);
    if (key.is_userset()) expect_clean(key.relation, text);
    if (key.is_userset() && key.is_wildcard()) fail("wildcard userset accepted", text);
    if (text.size() > kMaxSubjectLength) fail("long subject accepted", text);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::InvalidArgument) fail("subject error of the wrong kind", text);
  }
  try {
    check_relation_name(text);
    expect_clean(text, text);
    if (text.size() > kMaxRelationNameLength) fail("long relation accepted", text);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::InvalidArgument) fail("relation error of the wrong kind", text);
  }
  std::string quoted = quote_for_message(text);
  for (unsigned char c : quoted)
    if (c < 0x20 || c == 0x7f) fail("quote_for_message kept a control character", text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  parse_alone(input);
  // As a delegation token: whatever parses must be the one spelling of its
  // id and secret.
  if (std::optional<ParsedToken> token = parse_token(input)) {
    if (format_token(token->delegation_id, token->secret) != input) fail("token spelling", input);
  }
  // As a scope entry: whatever parses formats back to itself.
  try {
    ScopeEntry entry = parse_scope_entry(input);
    if (format_scope_entry(entry) != input) fail("scope entry round trip", input);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::InvalidArgument)
      fail("scope entry error of the wrong kind", input);
  }
  // As a tuple: object, relation and subject separated by newlines.
  size_t first = input.find('\n');
  if (first == std::string_view::npos) return 0;
  size_t second = input.find('\n', first + 1);
  if (second == std::string_view::npos) return 0;
  std::string_view object = input.substr(0, first);
  std::string_view relation = input.substr(first + 1, second - first - 1);
  std::string_view subject = input.substr(second + 1);
  try {
    ValidatedTuple t = validate_tuple(model(), object, relation, subject);
    if (format_object(t.object.type, t.object.id) != object) fail("tuple object", input);
    if (format_subject(t.subject) != subject) fail("tuple subject", input);
    if (model().relation(t.relation).name != relation) fail("tuple relation", input);
    TypeId subject_type = model().find_type(t.subject.type);
    RelationId subject_relation =
        t.subject.is_userset() ? model().find_relation(subject_type, t.subject.relation) : -1;
    if (!model().allows(t.relation, subject_type, subject_relation, t.subject.is_wildcard()))
      fail("validated a tuple the model does not allow", input);
  } catch (const Error& error) {
    if (error.kind() != ErrorKind::InvalidArgument && error.kind() != ErrorKind::UndefinedName &&
        error.kind() != ErrorKind::NotAllowed)
      fail("validate_tuple error of the wrong kind", input);
  }
  return 0;
}
