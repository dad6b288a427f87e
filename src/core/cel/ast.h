// The syntax tree of a CEL expression. The parser builds it; the checker
// annotates it (types, resolved names, overloads); afterwards it is never
// changed, so a compiled Program can share it between evaluations.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/cel/types.h"
#include "core/cel/value.h"

namespace agentauthz::core::cel {

enum class NodeKind {
  Literal,        // literal
  Ident,          // name
  Select,         // args[0].name; test_only for has(args[0].name)
  Call,           // name(args...) or args[0].name(args[1..]) when receiver_style
  List,           // [args...]
  Map,            // {args[0]: args[1], args[2]: args[3], ...}
  Comprehension,  // a macro over args[0] with iteration variable `name`
};

// The macros CEL expands; each is evaluated by its own loop.
enum class Macro { None, All, Exists, ExistsOne, Map, MapFilter, Filter };

// Where an identifier was resolved by the checker.
enum class NameRef { Unresolved, Parameter, IterationVariable };

struct Node {
  NodeKind kind = NodeKind::Literal;
  int line = 1;
  int column = 1;
  int depth = 1;  // height of this subtree, bounded by kMaxNestingDepth
  Value literal;  // Literal: the value; Select: the field name as a string
  std::string name;
  bool test_only = false;
  bool receiver_style = false;
  Macro macro = Macro::None;
  // Comprehension: args[0] the range, args[1] the predicate or transform,
  // args[2] the transform of map(x, predicate, transform).
  std::vector<std::unique_ptr<Node>> args;

  // Filled by the checker.
  Type type;
  NameRef ref = NameRef::Unresolved;
  int slot = 0;       // parameter index, or comprehension depth of the variable
  int function = -1;  // index into the function table for calls
};

}  // namespace agentauthz::core::cel
