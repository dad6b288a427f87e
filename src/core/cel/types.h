// CEL types as the checker sees them, and OpenFGA's parameter type names.
//
// A condition parameter is declared with one of OpenFGA's names: bool,
// string, int, uint, double, duration, timestamp, ipaddress, any,
// list<T> and map<T> (string keys). parse_type reads them; to_string
// prints a type the way cel-go's messages do ("list(int)",
// "google.protobuf.Timestamp", "IPAddress").
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace agentauthz::core::cel {

enum class Kind {
  Bool,
  Int,
  Uint,
  Double,
  String,
  Bytes,
  Null,
  Duration,
  Timestamp,
  IpAddress,
  List,
  Map,
  Any,    // an OpenFGA `any` parameter (google.protobuf.Any): checked dynamically
  Dyn,    // CEL's dyn: whatever the value turns out to be at evaluation
  Type,   // the type of a type value, e.g. of `int` written as an expression
  Param,  // a type parameter of a generic overload (checker internal)
};

struct Type {
  Kind kind = Kind::Dyn;
  // List element or map value (keys are the first).
  std::shared_ptr<const Type> key;
  std::shared_ptr<const Type> element;
  int param = 0;  // for Kind::Param

  static Type of(Kind kind);
  static Type list(Type element);
  static Type map(Type key, Type value);
  static Type type_param(int index);

  // True for Dyn and Any: such values are checked when evaluated.
  bool is_dynamic() const { return kind == Kind::Dyn || kind == Kind::Any; }

  bool operator==(const Type& other) const;
  bool operator!=(const Type& other) const { return !(*this == other); }
};

// A declared condition parameter: `name: type` in the DSL.
struct Parameter {
  std::string name;
  Type type;
};

// Prints the type as cel-go names it in error messages.
std::string to_string(const Type& type);

// Prints the type in OpenFGA's DSL spelling ("list<string>").
std::string to_openfga_string(const Type& type);

// Reads an OpenFGA parameter type name such as "int" or "list<map<string>>".
// Throws core::Error (InvalidModel) naming what is wrong.
Type parse_type(std::string_view name);

}  // namespace agentauthz::core::cel
