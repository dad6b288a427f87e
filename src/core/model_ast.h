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
  SourcePos pos;
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

struct ModelAst {
  std::string schema_version;  // "1.1"
  std::vector<TypeAst> types;
};

}  // namespace agentauthz::core
