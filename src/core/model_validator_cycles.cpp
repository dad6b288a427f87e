// Cycles among computed relations (`define a: [user] or b`, `define b: a`).
// OpenFGA's server refuses any such cycle, even when another operand gives
// the relations a way in, so the evaluator never meets one.
#include <optional>
#include <string>
#include <vector>

#include "core/model_validator_internal.h"

namespace agentauthz::core::model_validator_detail {

namespace {

// A cycle found by the search: the relations in order, the first repeated
// at the end, and where the first one refers to the second.
struct Cycle {
  std::vector<int> relations;
  SourcePos pos;
};

// Adds the computed references found in node (outside `from` clauses and
// type restrictions) to edges.
void collect_computed(const ModelIndex& index, const TypeAst& type, const RewriteAst& node,
                      std::vector<ComputedEdge>& edges) {
  if (node.kind == RewriteKind::Computed) {
    const int target = index.relation_id(type.name, node.relation);
    if (target >= 0) {
      edges.push_back(ComputedEdge{target, node.pos});
    }
    return;
  }
  for (const auto& child : node.children) {
    if (child) {
      collect_computed(index, type, *child, edges);
    }
  }
}

// Searches depth first from root, without recursion (chains of computed
// relations can be as long as the model), for a cycle; color keeps nodes
// already finished (2) or on the current path (1) across calls.
std::optional<Cycle> find_cycle_from(const ComputedGraph& graph, int root,
                                     std::vector<char>& color) {
  struct Frame {
    int relation;
    std::size_t next_edge;
  };
  if (color[root] != 0) {
    return std::nullopt;
  }
  std::vector<Frame> path{{root, 0}};
  color[root] = 1;
  while (!path.empty()) {
    Frame& frame = path.back();
    const std::vector<ComputedEdge>& edges = graph[frame.relation];
    if (frame.next_edge == edges.size()) {
      color[frame.relation] = 2;
      path.pop_back();
      continue;
    }
    const ComputedEdge& edge = edges[frame.next_edge++];
    if (color[edge.target] == 1) {
      std::size_t start = 0;
      while (path[start].relation != edge.target) {
        ++start;
      }
      Cycle cycle;
      for (std::size_t i = start; i < path.size(); ++i) {
        cycle.relations.push_back(path[i].relation);
      }
      cycle.relations.push_back(edge.target);
      cycle.pos = start + 1 == path.size()
                      ? edge.pos
                      : graph[path[start].relation][path[start].next_edge - 1].pos;
      return cycle;
    }
    if (color[edge.target] == 0) {
      color[edge.target] = 1;
      path.push_back(Frame{edge.target, 0});
    }
  }
  return std::nullopt;
}

}  // namespace

// Collects the computed-relation references of every relation.
ComputedGraph build_computed_graph(const ModelIndex& index) {
  ComputedGraph graph(index.relation_count());
  for (int id = 0; id < index.relation_count(); ++id) {
    const RelationAst& relation = index.relation(id);
    if (relation.rewrite) {
      collect_computed(index, index.type_of(id), *relation.rewrite, graph[id]);
    }
  }
  return graph;
}

// Tells whether following computed references from start leads into a cycle.
bool reaches_computed_cycle(const ComputedGraph& graph, int start) {
  std::vector<char> color(graph.size(), 0);
  return find_cycle_from(graph, start, color).has_value();
}

// Checks that no relation depends on itself through computed references.
void check_computed_cycles(const ModelIndex& index, const ComputedGraph& graph) {
  std::vector<char> color(graph.size(), 0);
  for (int id = 0; id < static_cast<int>(graph.size()); ++id) {
    std::optional<Cycle> cycle = find_cycle_from(graph, id, color);
    if (!cycle) {
      continue;
    }
    std::string path;
    for (int relation : cycle->relations) {
      path += (path.empty() ? "" : " -> ") + index.relation(relation).name;
    }
    fail_at(cycle->pos, "relations of type " + quote(index.type_of(cycle->relations[0]).name) +
                            " refer to each other in a cycle (" + path +
                            "); OpenFGA refuses such cycles even when another operand grants "
                            "the relations");
  }
}

}  // namespace agentauthz::core::model_validator_detail
