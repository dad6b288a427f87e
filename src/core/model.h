// The compiled model: types and relations numbered densely, rewrite trees
// resolved to relation ids, and the indexes evaluation needs (type
// restrictions, reverse edges for list_objects). Immutable once built and
// shared by every evaluation in a backend until the model changes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/cel/program.h"
#include "core/model_ast.h"

namespace agentauthz::core {

using TypeId = int32_t;       // index into Model::types(); -1 when absent
using RelationId = int32_t;   // global index into Model::relations(); -1 when absent
using ConditionId = int32_t;  // index into Model::conditions(); -1 for none

// One subject shape of a relation's type restriction: `user`, `user:*`,
// `group#member`, with the conditions its tuples may carry: `[user, user
// with c]` is one shape, allowed unconditionally and with `c`.
struct TypeRestriction {
  TypeId type = -1;
  RelationId relation = -1;  // for `group#member`
  bool wildcard = false;
  bool unconditional = false;           // written without `with`
  std::vector<ConditionId> conditions;  // written `with <condition>`
};

// A compiled condition: its declared parameters and its CEL program.
struct ConditionInfo {
  std::string name;
  std::vector<cel::Parameter> parameters;
  std::shared_ptr<const cel::Program> program;
};

struct RewriteNode {
  RewriteKind kind = RewriteKind::Direct;
  RelationId relation = -1;                  // Computed
  RelationId tupleset = -1;                  // TupleToUserset: relation on the same type
  std::string computed_name;                 // TupleToUserset: relation looked up on each parent
  std::vector<RelationId> computed_by_type;  // TupleToUserset: per parent type, or -1
  std::vector<RewriteNode> children;         // Union, Intersection, Exclusion (base, subtract)
};

struct RelationInfo {
  RelationId id = -1;
  TypeId type = -1;
  std::string name;
  RewriteNode rewrite;
  std::vector<TypeRestriction> direct;  // every type restriction of the relation
  bool allows_usersets = false;         // some restriction is `type#relation`
  bool conditional = false;             // some restriction carries `with <condition>`
  // No intersection, exclusion or conditional tuple reachable: whether it
  // holds is plain reachability over tuples.
  bool monotone = true;
};

struct TypeInfo {
  std::string name;
  std::vector<RelationId> relations;
  std::unordered_map<std::string_view, RelationId> relation_by_name;  // views of relation names
};

// How reaching (object, relation) leads to other (object', relation') nodes;
// list_objects walks these edges backwards from the subject.
struct ReverseEdges {
  std::vector<RelationId> computed;  // same object, relation' computed from this one
  std::vector<RelationId> userset;   // tuples object' relation' this_object#this_relation
  struct Ttu {
    RelationId target;    // relation' on the parent's referrer
    RelationId tupleset;  // tuples object' tupleset this_object
  };
  std::vector<Ttu> ttu;
};

class Model {
 public:
  // Parses, validates and compiles DSL text; throws ModelError.
  static std::shared_ptr<const Model> from_dsl(std::string_view dsl);
  // Compiles a validated AST; throws ModelError on an inconsistency.
  static std::shared_ptr<const Model> compile(const ModelAst& ast);

  TypeId find_type(std::string_view name) const;
  RelationId find_relation(TypeId type, std::string_view name) const;
  const TypeInfo& type(TypeId id) const { return types_[id]; }
  const RelationInfo& relation(RelationId id) const { return relations_[id]; }
  size_t type_count() const { return types_.size(); }
  size_t relation_count() const { return relations_.size(); }

  // Returns whether `relation` may hold a tuple with this subject shape
  // (with or without a condition).
  bool allows(RelationId relation, TypeId subject_type, RelationId subject_relation,
              bool wildcard) const;
  // Returns whether `relation` may hold a tuple with this subject shape and
  // this condition (-1: none). A stored tuple the model does not allow this
  // way is ignored when read, as OpenFGA does.
  bool allows_tuple(RelationId relation, TypeId subject_type, RelationId subject_relation,
                    bool wildcard, ConditionId condition) const;

  ConditionId find_condition(std::string_view name) const;
  const ConditionInfo& condition(ConditionId id) const { return conditions_[id]; }
  size_t condition_count() const { return conditions_.size(); }
  // True when some type restriction carries a condition: evaluation then
  // depends on the request's context.
  bool has_conditions() const { return has_conditions_; }
  // Relations whose type restriction names `type` plainly (`[user]`).
  const std::vector<RelationId>& relations_allowing_type(TypeId type) const {
    return direct_by_type_[type];
  }
  // Relations whose type restriction names `type:*`.
  const std::vector<RelationId>& relations_allowing_wildcard(TypeId type) const {
    return wildcard_by_type_[type];
  }
  const ReverseEdges& reverse_edges(RelationId relation) const { return reverse_[relation]; }

 private:
  Model() = default;
  void compile_conditions(const std::vector<ConditionAst>& conditions);
  void build_indexes();
  void compute_monotone();

  std::vector<TypeInfo> types_;
  std::vector<RelationInfo> relations_;
  std::vector<ConditionInfo> conditions_;
  bool has_conditions_ = false;
  std::unordered_map<std::string_view, TypeId> type_by_name_;  // views of types_[i].name
  std::vector<std::vector<RelationId>> direct_by_type_;
  std::vector<std::vector<RelationId>> wildcard_by_type_;
  std::vector<ReverseEdges> reverse_;
};

}  // namespace agentauthz::core
