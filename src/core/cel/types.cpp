#include "core/cel/types.h"

#include "core/error.h"

namespace agentauthz::core::cel {

Type Type::of(Kind kind) {
  Type type;
  type.kind = kind;
  return type;
}

Type Type::list(Type element) {
  Type type;
  type.kind = Kind::List;
  type.element = std::make_shared<const Type>(std::move(element));
  return type;
}

Type Type::map(Type key, Type value) {
  Type type;
  type.kind = Kind::Map;
  type.key = std::make_shared<const Type>(std::move(key));
  type.element = std::make_shared<const Type>(std::move(value));
  return type;
}

Type Type::type_param(int index) {
  Type type;
  type.kind = Kind::Param;
  type.param = index;
  return type;
}

bool Type::operator==(const Type& other) const {
  if (kind != other.kind) return false;
  switch (kind) {
    case Kind::List:
      return *element == *other.element;
    case Kind::Map:
      return *key == *other.key && *element == *other.element;
    case Kind::Param:
      return param == other.param;
    default:
      return true;
  }
}

// Names the type as cel-go does.
std::string to_string(const Type& type) {
  switch (type.kind) {
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Uint:
      return "uint";
    case Kind::Double:
      return "double";
    case Kind::String:
      return "string";
    case Kind::Bytes:
      return "bytes";
    case Kind::Null:
      return "null_type";
    case Kind::Duration:
      return "google.protobuf.Duration";
    case Kind::Timestamp:
      return "google.protobuf.Timestamp";
    case Kind::IpAddress:
      return "IPAddress";
    case Kind::List:
      return "list(" + to_string(*type.element) + ")";
    case Kind::Map:
      return "map(" + to_string(*type.key) + ", " + to_string(*type.element) + ")";
    case Kind::Any:
      return "google.protobuf.Any";
    case Kind::Dyn:
      return "dyn";
    case Kind::Type:
      return "type";
    case Kind::Param:
      return "_var" + std::to_string(type.param);
  }
  return "?";
}

// Names the type as OpenFGA's DSL does.
std::string to_openfga_string(const Type& type) {
  switch (type.kind) {
    case Kind::Duration:
      return "duration";
    case Kind::Timestamp:
      return "timestamp";
    case Kind::IpAddress:
      return "ipaddress";
    case Kind::Any:
      return "any";
    case Kind::List:
      return "list<" + to_openfga_string(*type.element) + ">";
    case Kind::Map:
      return "map<" + to_openfga_string(*type.element) + ">";
    default:
      return to_string(type);
  }
}

namespace {

[[noreturn]] void bad_type(std::string_view name, const std::string& why) {
  throw Error(ErrorKind::InvalidModel,
              "invalid condition parameter type '" + std::string(name) + "': " + why);
}

// Nested generics deeper than this are refused (OpenFGA's DSL allows one).
constexpr int kMaxTypeDepth = 8;

// Reads one type name starting at *at, advancing past it.
Type parse_at(std::string_view whole, size_t* at, int depth) {
  if (depth > kMaxTypeDepth) bad_type(whole, "generic types nest too deeply");
  size_t start = *at;
  while (*at < whole.size() && ((whole[*at] >= 'a' && whole[*at] <= 'z'))) ++*at;
  std::string_view word = whole.substr(start, *at - start);
  if (word.empty()) bad_type(whole, "expected a type name at offset " + std::to_string(start));
  if (word == "list" || word == "map") {
    if (*at >= whole.size() || whole[*at] != '<')
      bad_type(whole, "type '" + std::string(word) + "' requires 1 generic type, e.g. " +
                          std::string(word) + "<string>");
    ++*at;
    Type inner = parse_at(whole, at, depth + 1);
    if (*at >= whole.size() || whole[*at] != '>')
      bad_type(whole, "expected '>' at offset " + std::to_string(*at));
    ++*at;
    return word == "list" ? Type::list(inner) : Type::map(Type::of(Kind::String), inner);
  }
  static const struct {
    const char* name;
    Kind kind;
  } kScalars[] = {
      {"bool", Kind::Bool},           {"string", Kind::String},       {"int", Kind::Int},
      {"uint", Kind::Uint},           {"double", Kind::Double},       {"duration", Kind::Duration},
      {"timestamp", Kind::Timestamp}, {"ipaddress", Kind::IpAddress}, {"any", Kind::Any}};
  for (const auto& scalar : kScalars)
    if (word == scalar.name) {
      if (*at < whole.size() && whole[*at] == '<')
        bad_type(whole, "type '" + std::string(word) + "' takes no generic type");
      return Type::of(scalar.kind);
    }
  bad_type(whole, "unknown condition parameter type '" + std::string(word) + "'");
}

}  // namespace

Type parse_type(std::string_view name) {
  size_t at = 0;
  Type type = parse_at(name, &at, 0);
  if (at != name.size()) bad_type(name, "unexpected text at offset " + std::to_string(at));
  return type;
}

}  // namespace agentauthz::core::cel
