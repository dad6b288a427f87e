// The reference pass of the model validator: every name a definition uses
// must resolve, and `X from Y` must meet OpenFGA's conditions on Y.
#include <string>
#include <unordered_set>
#include <vector>

#include "core/dsl_limits.h"
#include "core/model_validator_internal.h"

namespace agentauthz::core::model_validator_detail {

// Spells a type restriction the way the DSL writes it, with its condition.
std::string restriction_text(const DirectTypeAst& restriction) {
  std::string text = restriction.type;
  if (restriction.wildcard) {
    text += ":*";
  } else if (!restriction.relation.empty()) {
    text += "#" + restriction.relation;
  }
  if (!restriction.condition.empty()) {
    text += " with " + restriction.condition;
  }
  return text;
}

namespace {

// Spells the operand of a set operation for duplicate detection; empty for
// operands that are not a plain reference.
std::string operand_text(const RewriteAst& node) {
  if (node.kind == RewriteKind::Computed) {
    return node.relation;
  }
  if (node.kind == RewriteKind::TupleToUserset) {
    return node.relation + " from " + node.tupleset;
  }
  return {};
}

// Names the DSL operator of a set operation.
const char* operator_text(RewriteKind kind) {
  switch (kind) {
    case RewriteKind::Union:
      return "or";
    case RewriteKind::Intersection:
      return "and";
    default:
      return "but not";
  }
}

// What the reference pass has already checked, shared by all relations.
struct ReferenceCache {
  std::unordered_set<int> checked_tuplesets;       // relations used after 'from'
  std::unordered_set<std::string> resolved_pairs;  // "tupleset id#relation" found
};

// Checks one relation's definition against the rest of the model.
class ReferenceChecker {
 public:
  // Prepares to check relation, defined on type.
  ReferenceChecker(const ModelIndex& index, ReferenceCache& cache, const TypeAst& type,
                   const RelationAst& relation)
      : index_(index), cache_(cache), type_(type), relation_(relation) {}

  // Checks the whole definition.
  void check() {
    if (!relation_.rewrite) {
      fail_at(relation_.pos, "relation " + quote(relation_.name) + " has no definition");
    }
    check_node(*relation_.rewrite, 1);
  }

 private:
  // Checks node and its operands; depth counts the nodes above it.
  void check_node(const RewriteAst& node, int depth) {
    if (depth > kMaxRewriteDepth) {
      fail_at(node.pos, "the definition of relation " + quote(relation_.name) +
                            " is nested more than " + std::to_string(kMaxRewriteDepth) +
                            " levels deep");
    }
    switch (node.kind) {
      case RewriteKind::Direct:
        check_direct(node, relation_);
        return;
      case RewriteKind::Computed:
        check_computed(node);
        return;
      case RewriteKind::TupleToUserset:
        check_tuple_to_userset(node);
        return;
      case RewriteKind::Union:
      case RewriteKind::Intersection:
      case RewriteKind::Exclusion:
        check_operation(node, depth);
        return;
    }
    malformed(node, "unknown rewrite kind");
  }

  // Checks a type restriction list of owner (this relation, or the
  // relation after a `from`).
  void check_direct(const RewriteAst& node, const RelationAst& owner) {
    if (node.direct_types.empty()) {
      malformed(node, "empty type restriction list");
    }
    std::unordered_set<std::string> seen;
    for (const DirectTypeAst& restriction : node.direct_types) {
      if (restriction.type.empty()) {
        fail_at(restriction.pos, "a type restriction needs a type name");
      }
      if (restriction.wildcard && !restriction.relation.empty()) {
        fail_at(restriction.pos, "type restriction " +
                                     quote(restriction.type + ":*#" + restriction.relation) +
                                     " cannot be both a wildcard and a userset");
      }
      if (index_.find_type(restriction.type) == nullptr) {
        fail_at(restriction.pos,
                "type " + quote(restriction.type) + " is not defined" +
                    (restriction.wildcard
                         ? " (in wildcard " + quote(restriction_text(restriction)) + ")"
                         : std::string()));
      }
      if (!restriction.relation.empty() &&
          index_.find_relation(restriction.type, restriction.relation) == nullptr) {
        fail_at(restriction.pos, "relation " + quote(restriction.relation) +
                                     " is not defined on type " + quote(restriction.type) +
                                     " (in " + quote(restriction_text(restriction)) + ")");
      }
      if (!seen.insert(restriction_text(restriction)).second) {
        fail_at(restriction.pos, "type restriction " + quote(restriction_text(restriction)) +
                                     " appears twice in relation " + quote(owner.name));
      }
    }
  }

  // Checks a reference to another relation of the same type.
  void check_computed(const RewriteAst& node) {
    if (node.relation.empty()) {
      malformed(node, "computed relation without a name");
    }
    if (node.relation == relation_.name) {
      fail_at(node.pos, "relation " + quote(relation_.name) + " refers to itself");
    }
    if (index_.find_relation(type_.name, node.relation) == nullptr) {
      fail_at(node.pos,
              "relation " + quote(node.relation) + " is not defined on type " + quote(type_.name));
    }
  }

  // Checks `X from Y`: Y is a relation of this type defined by plain types
  // alone (OpenFGA needs the tupleset to be direct, without usersets or
  // wildcards), and X is a relation of at least one of those types. Each
  // tupleset and each (Y, X) pair is checked once per model, however often
  // it is used.
  void check_tuple_to_userset(const RewriteAst& node) {
    if (node.relation.empty() || node.tupleset.empty()) {
      malformed(node, "'from' without both relation names");
    }
    const std::string spelled = quote(node.relation + " from " + node.tupleset);
    const int tupleset_id = index_.relation_id(type_.name, node.tupleset);
    if (tupleset_id < 0) {
      fail_at(node.pos, "relation " + quote(node.tupleset) + " is not defined on type " +
                            quote(type_.name) + " (in " + spelled + ")");
    }
    const RelationAst& tupleset = index_.relation(tupleset_id);
    if (!tupleset.rewrite || tupleset.rewrite->kind != RewriteKind::Direct) {
      fail_at(node.pos, "relation " + quote(node.tupleset) + " is used after 'from' in " + spelled +
                            ", so it must be defined by a type restriction alone, like [folder]");
    }
    if (cache_.checked_tuplesets.insert(tupleset_id).second) {
      check_direct(*tupleset.rewrite, tupleset);
      for (const DirectTypeAst& restriction : tupleset.rewrite->direct_types) {
        if (restriction.wildcard || !restriction.relation.empty()) {
          fail_at(restriction.pos, "type restriction " + quote(restriction_text(restriction)) +
                                       " is not allowed in relation " + quote(node.tupleset) +
                                       ": it is used after 'from' in " + spelled + " at line " +
                                       std::to_string(node.pos.line) +
                                       ", which allows plain types only");
        }
      }
    }
    const std::string pair = std::to_string(tupleset_id) + "#" + node.relation;
    if (cache_.resolved_pairs.count(pair) != 0) {
      return;
    }
    if (!for_each_parent_defining(index_, tupleset_id, node.relation,
                                  [](const TypeAst&) { return true; })) {
      fail_at(node.pos, "relation " + quote(node.relation) + " is not defined on any type of " +
                            quote(node.tupleset) + " (" + list_types(tupleset) + "), as " +
                            spelled + " needs");
    }
    cache_.resolved_pairs.insert(pair);
  }

  // Lists the first few types of a tupleset's restrictions for a message.
  static std::string list_types(const RelationAst& tupleset) {
    constexpr std::size_t kMaxListed = 5;
    const std::vector<DirectTypeAst>& restrictions = tupleset.rewrite->direct_types;
    std::string types;
    for (std::size_t i = 0; i < restrictions.size() && i < kMaxListed; ++i) {
      types += (i == 0 ? "" : ", ") + quote(restrictions[i].type);
    }
    if (restrictions.size() > kMaxListed) {
      types += ", ...";
    }
    return types;
  }

  // Checks a union, intersection or exclusion and its operands.
  void check_operation(const RewriteAst& node, int depth) {
    const std::size_t count = node.children.size();
    if (node.kind == RewriteKind::Exclusion ? count != 2 : count < 2) {
      malformed(node,
                std::string("wrong number of operands for '") + operator_text(node.kind) + "'");
    }
    for (const auto& child : node.children) {
      if (!child) {
        malformed(node, "missing operand");
      }
      check_node(*child, depth + 1);
    }
    // OpenFGA's DSL validator refuses an operand repeated in one operation
    // (`viewer or viewer`, `viewer but not viewer`): always a mistake.
    std::unordered_set<std::string> seen;
    for (const auto& child : node.children) {
      const std::string text = operand_text(*child);
      if (!text.empty() && !seen.insert(text).second) {
        fail_at(child->pos, quote(text) + " appears twice in the same '" +
                                operator_text(node.kind) + "' of relation " +
                                quote(relation_.name));
      }
    }
  }

  // Throws for a tree no parser produces.
  [[noreturn]] void malformed(const RewriteAst& node, const std::string& what) {
    fail_at(node.pos, "malformed definition of relation " + quote(relation_.name) + ": " + what);
  }

  const ModelIndex& index_;
  ReferenceCache& cache_;
  const TypeAst& type_;
  const RelationAst& relation_;
};

}  // namespace

// Checks every definition's shape and references.
void check_references(const ModelAst& model, const ModelIndex& index) {
  ReferenceCache cache;
  for (const TypeAst& type : model.types) {
    for (const RelationAst& relation : type.relations) {
      ReferenceChecker(index, cache, type, relation).check();
    }
  }
}

}  // namespace agentauthz::core::model_validator_detail
