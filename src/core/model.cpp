#include "core/model.h"

#include <algorithm>
#include <limits>

#include "core/error.h"
#include "core/model_parse.h"
#include "core/rewrite_walk.h"

namespace agentauthz::core {

namespace {

// Ids are packed into 16 bits in cache keys.
constexpr size_t kMaxTypes = 0x7fff;
constexpr size_t kMaxRelations = 0x7fff;

[[noreturn]] void inconsistent(const SourcePos& pos, const std::string& message) {
  throw ModelError(pos.line, pos.column, message);
}

void add_unique(std::vector<RelationId>& list, RelationId id) {
  if (std::find(list.begin(), list.end(), id) == list.end()) list.push_back(id);
}

}  // namespace

// Compiles each condition's CEL expression against its declared parameters.
// The validator reports bad conditions with positions first; this is the
// backstop for an AST that did not come through it.
void Model::compile_conditions(const std::vector<ConditionAst>& conditions) {
  for (const ConditionAst& ast : conditions) {
    if (find_condition(ast.name) >= 0) inconsistent(ast.pos, "duplicate condition " + ast.name);
    ConditionInfo info;
    info.name = ast.name;
    for (const ConditionParamAst& param : ast.params) {
      try {
        info.parameters.push_back({param.name, cel::parse_type(param.type)});
      } catch (const Error& e) {
        inconsistent(param.pos, e.what());
      }
    }
    cel::CompileError error;
    info.program = cel::Program::compile(ast.expression, info.parameters, &error);
    if (!info.program)
      inconsistent(expression_position(ast, error.line, error.column),
                   "condition " + ast.name + ": " + error.message);
    conditions_.push_back(std::move(info));
  }
}

std::shared_ptr<const Model> Model::from_dsl(std::string_view dsl) {
  return compile(parse_and_validate_model(dsl));
}

TypeId Model::find_type(std::string_view name) const {
  auto found = type_by_name_.find(name);
  return found == type_by_name_.end() ? -1 : found->second;
}

RelationId Model::find_relation(TypeId type, std::string_view name) const {
  if (type < 0 || static_cast<size_t>(type) >= types_.size()) return -1;
  const auto& by_name = types_[type].relation_by_name;
  auto found = by_name.find(name);
  return found == by_name.end() ? -1 : found->second;
}

bool Model::allows(RelationId relation, TypeId subject_type, RelationId subject_relation,
                   bool wildcard) const {
  for (const TypeRestriction& r : relations_[relation].direct) {
    if (r.type == subject_type && r.relation == subject_relation && r.wildcard == wildcard)
      return true;
  }
  return false;
}

bool Model::allows_tuple(RelationId relation, TypeId subject_type, RelationId subject_relation,
                         bool wildcard, ConditionId condition) const {
  for (const TypeRestriction& r : relations_[relation].direct) {
    if (r.type != subject_type || r.relation != subject_relation || r.wildcard != wildcard)
      continue;
    if (condition < 0) return r.unconditional;
    return std::find(r.conditions.begin(), r.conditions.end(), condition) != r.conditions.end();
  }
  return false;
}

ConditionId Model::find_condition(std::string_view name) const {
  for (size_t i = 0; i < conditions_.size(); ++i)
    if (conditions_[i].name == name) return static_cast<ConditionId>(i);
  return -1;
}

// Compiles a validated AST: numbers types and relations, resolves every
// rewrite tree, then builds the indexes evaluation needs.
std::shared_ptr<const Model> Model::compile(const ModelAst& ast) {
  std::shared_ptr<Model> model(new Model());
  if (ast.types.size() > kMaxTypes) inconsistent({1, 1}, "too many types");

  // Number types and relations first so that references resolve in any
  // order; the name indexes hold views of names that never move again.
  for (const TypeAst& type : ast.types) {
    TypeInfo info;
    info.name = type.name;
    for (const RelationAst& relation : type.relations) {
      auto rid = static_cast<RelationId>(model->relations_.size());
      if (static_cast<size_t>(rid) >= kMaxRelations)
        inconsistent(relation.pos, "too many relations");
      info.relations.push_back(rid);
      RelationInfo rel;
      rel.id = rid;
      rel.type = static_cast<TypeId>(model->types_.size());
      rel.name = relation.name;
      model->relations_.push_back(std::move(rel));
    }
    model->types_.push_back(std::move(info));
  }
  for (size_t t = 0; t < model->types_.size(); ++t) {
    TypeInfo& info = model->types_[t];
    if (!model->type_by_name_.emplace(info.name, static_cast<TypeId>(t)).second)
      inconsistent(ast.types[t].pos, "duplicate type " + info.name);
    for (size_t i = 0; i < info.relations.size(); ++i) {
      const RelationInfo& rel = model->relations_[info.relations[i]];
      if (!info.relation_by_name.emplace(rel.name, rel.id).second)
        inconsistent(ast.types[t].relations[i].pos, "duplicate relation " + rel.name);
    }
  }

  model->compile_conditions(ast.conditions);

  // Resolves one rewrite tree of a relation on `type`.
  struct Compiler {
    Model& model;
    TypeId type;
    RelationInfo& relation;

    // Adds one `[...]` entry: a new subject shape, or a condition (or the
    // unconditional form) of a shape already listed.
    void add_restriction(const TypeRestriction& shape, const DirectTypeAst& d) {
      TypeRestriction* entry = nullptr;
      for (TypeRestriction& e : relation.direct)
        if (e.type == shape.type && e.relation == shape.relation && e.wildcard == shape.wildcard)
          entry = &e;
      if (entry == nullptr) {
        relation.direct.push_back(shape);
        entry = &relation.direct.back();
      }
      if (d.condition.empty()) {
        entry->unconditional = true;
        return;
      }
      ConditionId condition = model.find_condition(d.condition);
      if (condition < 0) inconsistent(d.condition_pos, "undefined condition " + d.condition);
      if (std::find(entry->conditions.begin(), entry->conditions.end(), condition) ==
          entry->conditions.end())
        entry->conditions.push_back(condition);
      relation.conditional = true;
      model.has_conditions_ = true;
    }

    // Returns the compiled form of one node and its children.
    RewriteNode compile(const RewriteAst& ast) {
      RewriteNode node;
      node.kind = ast.kind;
      switch (ast.kind) {
        case RewriteKind::Direct:
          for (const DirectTypeAst& d : ast.direct_types) {
            TypeRestriction r;
            r.type = model.find_type(d.type);
            if (r.type < 0) inconsistent(d.pos, "undefined type " + d.type);
            r.wildcard = d.wildcard;
            if (!d.relation.empty()) {
              r.relation = model.find_relation(r.type, d.relation);
              if (r.relation < 0)
                inconsistent(d.pos, "undefined relation " + d.type + "#" + d.relation);
              relation.allows_usersets = true;
            }
            add_restriction(r, d);
          }
          break;
        case RewriteKind::Computed:
          node.relation = model.find_relation(type, ast.relation);
          if (node.relation < 0) inconsistent(ast.pos, "undefined relation " + ast.relation);
          break;
        case RewriteKind::TupleToUserset: {
          node.tupleset = model.find_relation(type, ast.tupleset);
          if (node.tupleset < 0) inconsistent(ast.pos, "undefined relation " + ast.tupleset);
          node.computed_name = ast.relation;
          node.computed_by_type.assign(model.types_.size(), -1);
          for (size_t t = 0; t < model.types_.size(); ++t)
            node.computed_by_type[t] = model.find_relation(static_cast<TypeId>(t), ast.relation);
          break;
        }
        case RewriteKind::Union:
        case RewriteKind::Intersection:
        case RewriteKind::Exclusion:
          if (ast.children.size() < 2 ||
              (ast.kind == RewriteKind::Exclusion && ast.children.size() != 2))
            inconsistent(ast.pos, "malformed operator");
          for (const auto& child : ast.children) {
            if (!child) inconsistent(ast.pos, "malformed operator");
            node.children.push_back(compile(*child));
          }
          break;
      }
      return node;
    }
  };

  for (size_t t = 0; t < ast.types.size(); ++t) {
    const TypeAst& type = ast.types[t];
    for (const RelationAst& relation : type.relations) {
      RelationInfo& info =
          model->relations_[model->find_relation(static_cast<TypeId>(t), relation.name)];
      if (!relation.rewrite)
        inconsistent(relation.pos, "relation " + relation.name + " has no definition");
      Compiler compiler{*model, static_cast<TypeId>(t), info};
      info.rewrite = compiler.compile(*relation.rewrite);
    }
  }

  model->build_indexes();
  model->compute_monotone();
  return model;
}

namespace {

// The reverse edges one relation's rewrite tree contributes: how reaching
// another node leads to `owner`. Every operand of a union or intersection
// contributes; of an exclusion, the base only: reaching what it subtracts
// never grants.
struct ReverseEdgeWalk {
  using Result = bool;  // never stops: every branch contributes
  const Model& model;
  const RelationInfo& owner;
  std::vector<ReverseEdges>& reverse;

  bool direct() {
    for (const TypeRestriction& r : owner.direct)
      if (r.relation >= 0) add_unique(reverse[r.relation].userset, owner.id);
    return false;
  }
  bool computed(RelationId relation) {
    add_unique(reverse[relation].computed, owner.id);
    return false;
  }
  bool tuple_to_userset(const RewriteNode& ttu) {
    const RelationInfo& tupleset = model.relation(ttu.tupleset);
    for (const TypeRestriction& r : tupleset.direct) {
      if (r.relation >= 0 || r.wildcard) continue;
      RelationId target = ttu.computed_by_type[r.type];
      if (target < 0) continue;
      auto& list = reverse[target].ttu;
      bool seen = false;
      for (const auto& e : list) seen |= e.target == owner.id && e.tupleset == ttu.tupleset;
      if (!seen) list.push_back({owner.id, ttu.tupleset});
    }
    return false;
  }
  auto union_fold() { return reach_any_operand(*this); }
  auto intersection_fold() { return reach_any_operand(*this); }
  auto exclusion_fold() { return reach_base_only(*this); }
};

}  // namespace

void Model::build_indexes() {
  direct_by_type_.assign(types_.size(), {});
  wildcard_by_type_.assign(types_.size(), {});
  reverse_.assign(relations_.size(), {});
  for (const RelationInfo& relation : relations_) {
    for (const TypeRestriction& r : relation.direct) {
      if (r.relation >= 0) continue;
      add_unique(r.wildcard ? wildcard_by_type_[r.type] : direct_by_type_[r.type], relation.id);
    }
    ReverseEdgeWalk walk{*this, relation, reverse_};
    walk_rewrite(relation.rewrite, walk);
  }
}

namespace {

// Whether one relation's rewrite tree is monotone, given what is known so
// far of the relations it references: no intersection, exclusion or
// conditional tuples in it, and only monotone relations referenced.
struct MonotoneWalk {
  using Result = bool;
  const Model& model;
  const RelationInfo& owner;

  bool direct() {
    if (owner.conditional) return false;
    for (const TypeRestriction& r : owner.direct)
      if (r.relation >= 0 && !model.relation(r.relation).monotone) return false;
    return true;
  }
  bool computed(RelationId relation) { return model.relation(relation).monotone; }
  bool tuple_to_userset(const RewriteNode& ttu) {
    if (model.relation(ttu.tupleset).conditional) return false;
    for (RelationId target : ttu.computed_by_type)
      if (target >= 0 && !model.relation(target).monotone) return false;
    return true;
  }

  // A union is monotone when all its operands are; an intersection or an
  // exclusion never is, whatever its operands.
  struct Fold {
    MonotoneWalk& walk;
    bool monotone;
    MonotoneWalk& operands() { return walk; }
    bool add(bool operand) {
      monotone = monotone && operand;
      return !monotone;
    }
    bool result() const { return monotone; }
  };
  Fold union_fold() { return Fold{*this, true}; }
  Fold intersection_fold() { return Fold{*this, false}; }
  Fold exclusion_fold() { return Fold{*this, false}; }
};

}  // namespace

// A relation is monotone when nothing it can reach subtracts, intersects or
// depends on a condition; list_objects can then trust reverse expansion
// without re-checking, and check can search it as plain reachability. Every
// relation starts monotone and is lowered until nothing changes.
void Model::compute_monotone() {
  for (RelationInfo& relation : relations_) relation.monotone = true;
  bool changed = true;
  while (changed) {
    changed = false;
    for (RelationInfo& relation : relations_) {
      if (!relation.monotone) continue;
      MonotoneWalk walk{*this, relation};
      if (walk_rewrite(relation.rewrite, walk)) continue;
      relation.monotone = false;
      changed = true;
    }
  }
}

}  // namespace agentauthz::core
