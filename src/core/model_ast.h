// The parsed form of an OpenFGA DSL (schema 1.1) model, before compilation.
// Every node remembers where it was written so that validation errors can
// point at the offending line and column.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace agentauthz::core {

struct SourcePos {
  int line = 0;    // 1-based
  int column = 0;  // 1-based
};

// One entry of a direct type restriction: `user`, `user:*` or `group#member`.
struct DirectTypeAst {
  std::string type;
  std::string relation;   // empty unless `type#relation`
  bool wildcard = false;  // `type:*`
  std::string condition;  // `... with <condition>`; empty when unconditional
  SourcePos pos;
  SourcePos condition_pos;  // where the condition's name was written
};

enum class RewriteKind {
  Direct,          // [user, group#member, user:*]
  Computed,        // another relation of the same object: `editor`
  TupleToUserset,  // `viewer from parent`
  Union,           // a or b or ...
  Intersection,    // a and b and ...
  Exclusion,       // a but not b
};

struct RewriteAst {
  RewriteKind kind = RewriteKind::Direct;
  std::vector<DirectTypeAst> direct_types;  // Direct
  std::string relation;                     // Computed; TupleToUserset: the computed relation
  std::string tupleset;                     // TupleToUserset: the `from` relation
  std::vector<std::unique_ptr<RewriteAst>>
      children;  // Union/Intersection: >= 2; Exclusion: exactly 2
  SourcePos pos;
};

struct RelationAst {
  std::string name;
  std::unique_ptr<RewriteAst> rewrite;
  SourcePos pos;
};

struct TypeAst {
  std::string name;
  std::vector<RelationAst> relations;
  SourcePos pos;
};

// One declared parameter of a condition: `name: type` (OpenFGA's type
// names, e.g. `int`, `list<string>`).
struct ConditionParamAst {
  std::string name;
  std::string type;
  SourcePos pos;       // the parameter's name
  SourcePos type_pos;  // the parameter's type
};

// `condition <name>(<params>) { <CEL expression> }`.
struct ConditionAst {
  std::string name;
  std::vector<ConditionParamAst> params;
  // The CEL text between the braces without comments and surrounding
  // whitespace, as OpenFGA stores it; each character keeps its line and
  // column relative to expression_pos (see dsl_condition_body.h).
  std::string expression;
  SourcePos pos;             // the condition's name
  SourcePos expression_pos;  // the expression's first character (its `}` when empty)
};

struct ModelAst {
  std::string schema_version;  // "1.1"
  std::vector<TypeAst> types;
  std::vector<ConditionAst> conditions;
};

}  // namespace agentauthz::core
