#include "core/tuple_key.h"

#include <cstdint>
#include <cstdio>

#include "core/error.h"

namespace agentauthz::core {

namespace {

bool is_space_or_control(unsigned char c) { return c <= 0x20 || c == 0x7f; }

// Returns whether a code point is whitespace, a C1 control or an invisible
// formatting character (zero-width, bidirectional override): such
// characters make two different ids look the same.
bool is_unicode_space_or_control(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0xa0) || cp == 0x1680 || cp == 0x180e ||
         (cp >= 0x2000 && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202f) ||
         (cp >= 0x205f && cp <= 0x206f) || cp == 0x3000 || cp == 0xfeff;
}

// Returns whether `text` contains whitespace or a control character, ASCII
// or not. Bytes that are not valid UTF-8 are left alone (non-UTF-8 databases).
bool has_space_or_control(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  for (size_t i = 0; i < n;) {
    unsigned char c = p[i];
    if (c < 0x80) {
      if (is_space_or_control(c)) return true;
      ++i;
      continue;
    }
    size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    bool valid = length > 1 && i + length <= n;
    for (size_t k = 1; valid && k < length; ++k) valid = (p[i + k] & 0xc0) == 0x80;
    if (!valid) {
      // Not a UTF-8 sequence: look at the next byte on its own.
      ++i;
      continue;
    }
    uint32_t cp = c & (0xff >> (length + 1));
    for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (p[i + k] & 0x3f);
    if (is_unicode_space_or_control(cp)) return true;
    i += length;
  }
  return false;
}

[[noreturn]] void reject(std::string_view what, std::string_view text, std::string_view why) {
  throw Error(ErrorKind::InvalidArgument, "invalid " + std::string(what) + " " +
                                              quote_for_message(text) + ": " + std::string(why));
}

// Returns why a name (type or relation) is malformed, or nullptr.
const char* name_problem(std::string_view name, size_t max_length) {
  if (name.empty()) return "is empty";
  if (name.size() > max_length) return "is too long";
  for (unsigned char c : name)
    if (c == ':' || c == '#' || c == '@') return "contains ':', '#' or '@'";
  if (has_space_or_control(name)) return "contains whitespace or a control character";
  return nullptr;
}

// Returns why an object id is malformed, or nullptr. `*` is checked by callers.
const char* id_problem(std::string_view id) {
  if (id.empty()) return "the id is empty";
  for (unsigned char c : id)
    if (c == '#' || c == ':') return "the id contains '#' or ':'";
  if (has_space_or_control(id)) return "the id contains whitespace or a control character";
  return nullptr;
}

}  // namespace

// Quotes user input for an error message, escaped and cut to 80 characters.
std::string quote_for_message(std::string_view text) {
  constexpr size_t kShown = 80;
  std::string out = "\"";
  size_t shown = 0;
  for (unsigned char c : text) {
    if (shown++ == kShown) {
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
  return out;
}

void check_type_name(std::string_view type) {
  if (const char* why = name_problem(type, kMaxTypeNameLength))
    reject("type name", type, std::string("the name ") + why);
}

void check_relation_name(std::string_view relation) {
  if (const char* why = name_problem(relation, kMaxRelationNameLength))
    reject("relation", relation, std::string("the name ") + why);
}

namespace {

// Returns why `text` is not an object `type:id`, or nullptr (then *key is set).
std::string object_problem(std::string_view text, ObjectKey* key) {
  if (text.size() > kMaxObjectLength) return "longer than 256 bytes";
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return "expected type:id";
  *key = ObjectKey{text.substr(0, colon), text.substr(colon + 1)};
  if (const char* why = name_problem(key->type, kMaxTypeNameLength))
    return std::string("the type ") + why;
  if (key->id == "*") return "an object cannot be a wildcard";
  if (const char* why = id_problem(key->id)) return why;
  return std::string();
}

}  // namespace

ObjectKey parse_object(std::string_view text) {
  ObjectKey key;
  std::string why = object_problem(text, &key);
  if (!why.empty()) reject("object", text, why);
  return key;
}

bool try_parse_object(std::string_view text, ObjectKey* key) {
  ObjectKey parsed;
  if (!object_problem(text, &parsed).empty()) return false;
  *key = parsed;
  return true;
}

// Parses and validates a subject: type:id, type:* or type:id#relation.
SubjectKey parse_subject(std::string_view text) {
  if (text.size() > kMaxSubjectLength) reject("subject", text, "longer than 512 bytes");
  size_t colon = text.find(':');
  if (colon == std::string_view::npos)
    reject("subject", text, "expected type:id, type:* or type:id#relation");
  SubjectKey key;
  key.type = text.substr(0, colon);
  std::string_view rest = text.substr(colon + 1);
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    key.relation = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
    if (const char* why = name_problem(key.relation, kMaxRelationNameLength))
      reject("subject", text, std::string("the relation ") + why);
  }
  key.id = rest;
  if (const char* why = name_problem(key.type, kMaxTypeNameLength))
    reject("subject", text, std::string("the type ") + why);
  if (key.id == "*") {
    if (key.is_userset()) reject("subject", text, "a wildcard cannot have a relation");
    return key;
  }
  if (const char* why = id_problem(key.id)) reject("subject", text, why);
  return key;
}

ObjectKey split_object(std::string_view text) {
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return ObjectKey{text, {}};
  return ObjectKey{text.substr(0, colon), text.substr(colon + 1)};
}

// Splits a stored subject into its parts without validating it.
SubjectKey split_subject(std::string_view text) {
  SubjectKey key;
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    key.type = text;
    return key;
  }
  key.type = text.substr(0, colon);
  std::string_view rest = text.substr(colon + 1);
  size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    key.relation = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  key.id = rest;
  return key;
}

std::string format_object(std::string_view type, std::string_view id) {
  std::string out;
  out.reserve(type.size() + 1 + id.size());
  out.append(type).append(1, ':').append(id);
  return out;
}

std::string format_subject(const SubjectKey& subject) {
  std::string out = format_object(subject.type, subject.id);
  if (subject.is_userset()) out.append(1, '#').append(subject.relation);
  return out;
}

}  // namespace agentauthz::core
