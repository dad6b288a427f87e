// Entry points: a relation is possible only if some finite set of tuples
// can grant it. This is OpenFGA's "no entrypoint" rule (hasEntrypoints in
// openfga/openfga pkg/typesystem), computed here as a least fixed point:
//   [T, T:*]          granted outright; [T#R] when T#R is possible
//   R (computed)      when R is possible
//   X from Y          when X is possible on at least one type of Y
//   a or b            when any operand is possible
//   a and b           when every operand is possible
//   a but not b       when both a and b are possible (OpenFGA requires the
//                     subtracted operand to have an entry point too)
// A cycle grants nothing by itself, so relations that only reach each other
// stay impossible unless another branch has a way in. The propagation is
// linear in the size of the model, so no model makes it slow.
#include <string>
#include <unordered_map>
#include <vector>

#include "core/model_validator_internal.h"

namespace agentauthz::core::model_validator_detail {

namespace {

// An and/or graph over relations and rewrite nodes: a node becomes
// possible once `need` of its inputs are.
class EntryPointSolver {
 public:
  // Builds the graph for every relation of index.
  explicit EntryPointSolver(const ModelIndex& index) : index_(index) {
    const int relations = index.relation_count();
    for (int id = 0; id < relations; ++id) {
      add_node(1);
    }
    for (int id = 0; id < relations; ++id) {
      const RelationAst& relation = index.relation(id);
      if (relation.rewrite) {
        add_input(build(*relation.rewrite, index.type_of(id)), id);
      }
    }
  }

  // Propagates possibility from the directly granted nodes.
  void solve() {
    // NOLINTNEXTLINE(modernize-loop-convert): mark_possible appends to ready_ (a worklist)
    for (std::size_t i = 0; i < ready_.size(); ++i) {
      for (int consumer : consumers_[ready_[i]]) {
        if (!possible_[consumer] && --need_[consumer] == 0) {
          mark_possible(consumer);
        }
      }
    }
  }

  // Tells whether the relation with dense id id is possible.
  bool possible(int id) const { return possible_[id] != 0; }

 private:
  // Adds a node that needs `need` inputs; returns its id.
  int add_node(int need) {
    need_.push_back(need);
    consumers_.emplace_back();
    possible_.push_back(0);
    return static_cast<int>(need_.size()) - 1;
  }

  // Makes input one of consumer's inputs.
  void add_input(int input, int consumer) {
    if (input >= 0) {
      consumers_[input].push_back(consumer);
    }
  }

  // Marks node possible and queues it for propagation.
  void mark_possible(int node) {
    if (!possible_[node]) {
      possible_[node] = 1;
      ready_.push_back(node);
    }
  }

  // Adds the nodes for rewrite node of a relation on type; returns the id
  // of the node standing for it.
  int build(const RewriteAst& node, const TypeAst& type) {
    switch (node.kind) {
      case RewriteKind::Direct: {
        const int id = add_node(1);
        for (const DirectTypeAst& restriction : node.direct_types) {
          if (restriction.relation.empty()) {
            mark_possible(id);  // a user or a wildcard can be written directly
          } else {
            add_input(index_.relation_id(restriction.type, restriction.relation), id);
          }
        }
        return id;
      }
      case RewriteKind::Computed: {
        const int id = add_node(1);
        add_input(index_.relation_id(type.name, node.relation), id);
        return id;
      }
      case RewriteKind::TupleToUserset:
        return parents_node(index_.relation_id(type.name, node.tupleset), node.relation);
      case RewriteKind::Union:
      case RewriteKind::Intersection:
      case RewriteKind::Exclusion: {
        const int need =
            node.kind == RewriteKind::Union ? 1 : static_cast<int>(node.children.size());
        const int id = add_node(need);
        for (const auto& child : node.children) {
          if (child) {
            add_input(build(*child, type), id);
          }
        }
        return id;
      }
    }
    return add_node(1);  // unreachable for checked trees; never possible
  }

  // Returns the node standing for "relation `name` on some type of tupleset
  // relation tupleset_id", shared by every `name from tupleset` so that the
  // graph stays linear in the model's size.
  int parents_node(int tupleset_id, const std::string& name) {
    if (tupleset_id < 0) {
      return add_node(1);  // unreachable for checked models; never possible
    }
    const std::string key = std::to_string(tupleset_id) + "#" + name;
    auto it = parents_nodes_.find(key);
    if (it != parents_nodes_.end()) {
      return it->second;
    }
    const int id = add_node(1);
    parents_nodes_.emplace(key, id);
    for_each_parent_defining(index_, tupleset_id, name, [&](const TypeAst& parent) {
      add_input(index_.relation_id(parent.name, name), id);
      return false;
    });
    return id;
  }

  const ModelIndex& index_;
  std::unordered_map<std::string, int> parents_nodes_;
  std::vector<int> need_;
  std::vector<std::vector<int>> consumers_;
  std::vector<char> possible_;
  std::vector<int> ready_;
};

}  // namespace

// Checks that every relation can be granted by some chain of tuples.
void check_entry_points(const ModelIndex& index, const ComputedGraph& graph) {
  EntryPointSolver solver(index);
  solver.solve();
  for (int id = 0; id < index.relation_count(); ++id) {
    if (solver.possible(id)) {
      continue;
    }
    const RelationAst& relation = index.relation(id);
    std::string message = "relation " + quote(relation.name) + " of type " +
                          quote(index.type_of(id).name) +
                          " can never be granted: no chain of type restrictions leads to it "
                          "(no entry point)";
    if (reaches_computed_cycle(graph, id)) {
      message += "; it depends on itself through computed relations (potential loop)";
    }
    fail_at(relation.pos, message);
  }
}

}  // namespace agentauthz::core::model_validator_detail
