// list_objects and list_subjects. Both first collect candidates by walking
// the model's rewrite rules as if every operator were a union (a superset of
// the answer), then confirm each candidate with check unless the relation is
// monotone, in which case the walk is already exact.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>

#include "core/error.h"
#include "core/evaluator.h"
#include "core/flat_map.h"
#include "core/rewrite_walk.h"

namespace agentauthz::core {

namespace {

// Nodes a membership walk may visit before it gives up (and the check walks
// the usersets from the object's side instead).
constexpr size_t kMembershipNodes = 4096;

struct NodeKey {
  uint64_t packed;
  bool operator==(const NodeKey& o) const { return packed == o.packed; }
};
struct NodeKeyHash {
  size_t operator()(const NodeKey& k) const {
    uint64_t x = k.packed * 0x9e3779b97f4a7c15ULL;
    return static_cast<size_t>(x ^ (x >> 29));
  }
};

// The nodes a walk has met: a listing meets hundreds of thousands, and a
// node-based set would allocate each.
class NodeSet {
 public:
  // Adds `key`; false when it was there.
  bool insert(NodeKey key) { return nodes_.insert(key, 0).second; }
  size_t size() const { return nodes_.size(); }

 private:
  FlatMap<NodeKey, uint8_t, NodeKeyHash> nodes_;
};

NodeKey node_key(const Object& object, RelationId relation) {
  return NodeKey{static_cast<uint64_t>(static_cast<uint16_t>(object.type)) |
                 static_cast<uint64_t>(static_cast<uint16_t>(relation + 1)) << 16 |
                 static_cast<uint64_t>(object.id) << 32};
}

struct Node {
  Object object;
  RelationId relation;
  int depth = 0;
};

}  // namespace

// Returns, per relation, whether reaching it can lead to `target` through
// reverse edges; list_objects ignores every other relation.
std::vector<char> Evaluator::relevant_relations(RelationId target) const {
  const Model& model = *model_;
  size_t n = model.relation_count();
  std::vector<std::vector<RelationId>> feeders(n);
  for (size_t r = 0; r < n; ++r) {
    const ReverseEdges& edges = model.reverse_edges(static_cast<RelationId>(r));
    for (RelationId next : edges.computed) feeders[next].push_back(static_cast<RelationId>(r));
    for (RelationId next : edges.userset) feeders[next].push_back(static_cast<RelationId>(r));
    for (const auto& ttu : edges.ttu) feeders[ttu.target].push_back(static_cast<RelationId>(r));
  }
  std::vector<char> relevant(n, 0);
  std::vector<RelationId> stack{target};
  relevant[target] = 1;
  while (!stack.empty()) {
    RelationId r = stack.back();
    stack.pop_back();
    for (RelationId feeder : feeders[r]) {
      if (!relevant[feeder]) {
        relevant[feeder] = 1;
        stack.push_back(feeder);
      }
    }
  }
  return relevant;
}

const std::vector<char>& Evaluator::relevant_to(RelationId target) {
  if (relevant_cache_.empty()) relevant_cache_.resize(model_->relation_count());
  std::vector<char>& relevant = relevant_cache_[target];
  if (relevant.empty()) relevant = relevant_relations(target);
  return relevant;
}

// Walks the model's edges backwards from the subject -- its own tuples,
// then whatever names what it reached -- and reports every object that
// gets `target`, with its distance from the subject. Gives up (false) after
// `max_nodes` nodes. A node as far as max_depth raises DepthExceeded when
// `raise_on_depth`, else it is not followed.
bool Evaluator::expand_reverse(const Subject& subject, RelationId target, size_t max_nodes,
                               bool raise_on_depth, FunctionRef<void(Symbol, int)> found,
                               const FunctionRef<bool(std::string_view)>* found_read) {
  const Model& model = *model_;
  const RelationInfo& goal = model.relation(target);
  const std::vector<char>& relevant = relevant_to(target);
  NodeSet seen;
  std::deque<Node> queue;
  bool within_budget = true;
  // Whether a node of the relation leads anywhere relevant: nodes that do
  // not (a listing's documents, usually) are reported, never walked.
  std::vector<int8_t> leads(model.relation_count(), -1);
  auto leads_further = [&](RelationId relation) {
    int8_t& known = leads[relation];
    if (known < 0) {
      const ReverseEdges& edges = model.reverse_edges(relation);
      bool any = false;
      for (RelationId next : edges.computed) any = any || relevant[next];
      for (RelationId next : edges.userset) any = any || relevant[next];
      for (const auto& ttu : edges.ttu) any = any || relevant[ttu.target];
      known = any ? 1 : 0;
    }
    return known == 1;
  };
  // Objects of the target read from tuples go to `found_read` as they are
  // when nothing is walked from them. Not when too deep raises: whether an
  // object is first met beyond the limit takes remembering every one.
  bool report_read = found_read != nullptr && !raise_on_depth && !leads_further(target);

  // Each hop away from the subject is a hop check would take towards it:
  // the same depth limit applies, so both agree on what is too deep.
  auto beyond_depth = [&](int depth) {
    if (depth < options_.max_depth) return false;
    if (!raise_on_depth) return true;
    throw Error(ErrorKind::DepthExceeded,
                "authorization model resolution exceeded the depth limit of " +
                    std::to_string(options_.max_depth),
                "listing " + model.type(goal.type).name + " objects for " + format(subject));
  };
  auto reach = [&](const Object& object, RelationId relation, int depth) {
    if (!within_budget || !relevant[relation] || !seen.insert(node_key(object, relation))) return;
    if (seen.size() > max_nodes) {
      within_budget = false;
      return;
    }
    if (beyond_depth(depth)) return;
    if (leads_further(relation)) queue.push_back(Node{object, relation, depth});
    if (relation == target) found(object.id, depth);
  };
  // Visits the objects of `relation`'s type that a tuple relates to `key`.
  auto read_into = [&](const SubjectKey& key, const RelationInfo& tupleset, RelationId relation,
                       int depth) {
    TypeId type = model.relation(relation).type;
    if (report_read && relation == target) {
      // Left out, as met nodes are (raising never reads this way).
      if (!within_budget || beyond_depth(depth)) return;
      reader_.read_objects(key, tupleset.name, model.type(type).name, [&](const ObjectKey& object) {
        if (never_counts(tupleset, object.condition)) return true;
        within_budget = (*found_read)(object.id);
        return within_budget;
      });
      return;
    }
    std::vector<Symbol> ids;
    reader_.read_objects(key, tupleset.name, model.type(type).name, [&](const ObjectKey& object) {
      if (never_counts(tupleset, object.condition)) return true;
      ids.push_back(interner_.intern(object.id));
      return true;
    });
    for (Symbol id : ids) reach(Object{type, id}, relation, depth);
  };

  std::string_view subject_type = model.type(subject.type).name;
  std::string_view subject_id = interner_.text(subject.id);
  if (subject.userset()) {
    // A userset has itself, and is named by tuples as `type:id#relation`.
    reach(Object{subject.type, subject.id}, subject.relation, 0);
  } else if (!subject.wildcard()) {
    for (RelationId r : model.relations_allowing_type(subject.type))
      if (relevant[r]) read_into(SubjectKey{subject_type, subject_id, {}}, model.relation(r), r, 0);
  }
  // Wildcard tuples of the subject's type grant it too.
  for (RelationId r : model.relations_allowing_wildcard(subject.type))
    if (relevant[r]) read_into(SubjectKey{subject_type, "*", {}}, model.relation(r), r, 0);

  while (!queue.empty() && within_budget) {
    poll_interrupt();
    Node node = queue.front();
    queue.pop_front();
    const ReverseEdges& edges = model.reverse_edges(node.relation);
    int depth = node.depth + 1;
    for (RelationId next : edges.computed) reach(node.object, next, depth);
    std::string_view type_name = model.type(node.object.type).name;
    std::string_view id = interner_.text(node.object.id);
    for (RelationId next : edges.userset)
      if (relevant[next])
        read_into(SubjectKey{type_name, id, model.relation(node.relation).name},
                  model.relation(next), next, depth);
    for (const auto& ttu : edges.ttu)
      if (relevant[ttu.target])
        read_into(SubjectKey{type_name, id, {}}, model.relation(ttu.tupleset), ttu.target, depth);
  }
  return within_budget;
}

// Lists the objects expand_reverse() reaches, confirming each with check
// unless the relation is monotone.
bool Evaluator::list_objects(const Subject& subject, RelationId relation, std::vector<Symbol>* ids,
                             BeyondDepth beyond, size_t max_nodes) {
  auto interned = [&](Symbol id) { ids->push_back(id); };
  auto not_read = [](std::string_view) { return true; };
  return list_objects(subject, relation, ObjectSink{interned, not_read}, beyond, max_nodes, false);
}

bool Evaluator::list_objects(const Subject& subject, RelationId relation, const ObjectSink& sink,
                             BeyondDepth beyond, size_t max_nodes) {
  return list_objects(subject, relation, sink, beyond, max_nodes, true);
}

bool Evaluator::list_objects(const Subject& subject, RelationId relation, const ObjectSink& sink,
                             BeyondDepth beyond, size_t max_nodes, bool report_read) {
  const RelationInfo& goal = model_->relation(relation);
  bool raise = beyond == BeyondDepth::Raise;
  if (goal.monotone)  // the walk is exact: every object it reaches has the relation
    return expand_reverse(
        subject, relation, max_nodes, raise, [&](Symbol id, int) { sink.interned(id); },
        report_read ? &sink.read : nullptr);
  std::vector<Symbol> candidates;
  if (!expand_reverse(subject, relation, max_nodes, raise,
                      [&](Symbol id, int) { candidates.push_back(id); }))
    return false;
  for (Symbol id : candidates) {
    bool granted = false;
    try {
      granted = check(subject, relation, Object{goal.type, id});
    } catch (const Error& error) {
      // A listing that leaves out what it cannot decide (an actor's allowed
      // set) leaves out a condition it cannot evaluate too.
      if (raise ||
          (error.kind() != ErrorKind::DepthExceeded && error.kind() != ErrorKind::ConditionFailed))
        throw;
    }
    if (granted) sink.interned(id);
  }
  return true;
}

// Returns the subject's memberships of a union-only relation, found once
// per statement; nullptr when there are too many.
const Evaluator::Membership* Evaluator::membership(const Subject& subject, RelationId relation) {
  MemoKey key = memo_key(subject, Object{model_->relation(relation).type, 0}, relation);
  if (const uint32_t* index = membership_index_.find(key)) {
    const Membership& known = memberships_[*index - 1];
    return known.complete ? &known : nullptr;
  }
  Membership fresh;
  fresh.complete = expand_reverse(
      subject, relation, kMembershipNodes, false,
      [&](Symbol id, int depth) { fresh.members.insert(id, static_cast<uint16_t>(depth)); });
  membership_bytes_ += fresh.members.bytes();
  memberships_.push_back(std::move(fresh));
  membership_index_.set(key, static_cast<uint32_t>(memberships_.size()));
  return memberships_.back().complete ? &memberships_.back() : nullptr;
}

namespace {

// The state of one list_subjects expansion: the nodes met and those still
// to walk, and the subjects found that match the filter, in order found.
struct SubjectSearch {
  const Subject& filter;
  NodeSet seen;
  NodeSet found;
  std::vector<Subject> candidates;
  std::deque<Node> queue;
  // The first condition met on the way that could not be evaluated: as in
  // OpenFGA's ListUsers, it fails the listing even where another path
  // reaches the same subjects.
  std::string condition_error;

  // Records a subject that has the relation, if the filter asks for it.
  void note(const Subject& s) {
    if (s.type != filter.type || s.relation != filter.relation) return;
    // Reuse the node key packing: (type, relation, id) identifies a subject.
    if (found.insert(node_key(Object{s.type, s.id}, s.relation))) candidates.push_back(s);
  }
};

}  // namespace

// list_subjects' expansion as a walk of one queued node's rewrite tree
// (`relation` on `object`): the leaves note the subjects their tuples name
// and queue the nodes those lead to. Nothing stops it: every branch that
// might grant is visited.
struct Evaluator::SubjectsWalk {
  using Result = bool;
  Evaluator& self;
  SubjectSearch& search;
  const Object& listed;  // the object whose subjects are listed
  const RelationInfo& relation;
  const Object& object;
  int depth;

  bool direct() {
    std::vector<Subject> subjects;
    // A userset filter is never matched by a plain subject.
    SubjectFilter which =
        search.filter.userset() ? SubjectFilter::UsersetsOnly : SubjectFilter::All;
    // As for parents: a condition met on the way that cannot be evaluated
    // fails the listing, whatever branch it is on -- but only on tuples
    // that could name a subject of the filter's type, as OpenFGA's
    // ListUsers reads no others.
    bool condition_error = false;
    self.stored_subjects(relation, object, which, &subjects,
                         relation.conditional ? &condition_error : nullptr, search.filter.type);
    if (condition_error && search.condition_error.empty())
      search.condition_error = self.condition_error_;
    for (const Subject& s : subjects) search.note(s);
    for (const Subject& s : subjects)
      if (s.userset()) next(Object{s.type, s.id}, s.relation);
    return false;
  }
  bool computed(RelationId target) {
    next(object, target);
    return false;
  }
  bool tuple_to_userset(const RewriteNode& ttu) {
    std::vector<Object> parents;
    std::vector<RelationId> targets;
    bool condition_error = false;
    self.stored_parents(ttu, object, &parents, &targets, &condition_error);
    if (condition_error && search.condition_error.empty())
      search.condition_error = self.condition_error_;
    for (size_t i = 0; i < parents.size(); ++i) next(parents[i], targets[i]);
    return false;
  }
  // What is subtracted never grants, so it names no subject.
  auto union_fold() { return reach_any_operand(*this); }
  auto intersection_fold() { return reach_any_operand(*this); }
  auto exclusion_fold() { return reach_base_only(*this); }

  // Queues a node this one leads to, one hop deeper, unless met before.
  void next(const Object& o, RelationId r) {
    if (!search.seen.insert(node_key(o, r))) return;
    if (depth + 1 >= self.options_.max_depth)
      throw Error(ErrorKind::DepthExceeded,
                  "authorization model resolution exceeded the depth limit of " +
                      std::to_string(self.options_.max_depth),
                  "listing subjects of " + self.format(listed));
    search.queue.push_back(Node{o, r, depth + 1});
  }
};

// Collects the subjects matching `filter` that have `relation` on `object`:
// walks forward from the object breadth-first, then confirms the
// candidates with check unless the relation is monotone.
void Evaluator::list_subjects(const Object& object, RelationId relation, const Subject& filter,
                              std::vector<Subject>* subjects) {
  const Model& model = *model_;
  SubjectSearch search{filter, {}, {}, {}, {}, {}};
  condition_error_.clear();
  search.seen.insert(node_key(object, relation));
  search.queue.push_back(Node{object, relation, 0});
  while (!search.queue.empty()) {
    poll_interrupt();
    Node node = search.queue.front();
    search.queue.pop_front();
    // A userset has itself: group:x#member is a member of group:x.
    search.note(Subject{node.object.type, node.object.id, node.relation});
    const RelationInfo& info = model.relation(node.relation);
    SubjectsWalk walk{*this, search, object, info, node.object, node.depth};
    walk_rewrite(info.rewrite, walk);
  }

  if (!search.condition_error.empty())
    throw Error(ErrorKind::ConditionFailed, search.condition_error);
  bool exact = model.relation(relation).monotone;
  for (const Subject& candidate : search.candidates) {
    if (exact || check(candidate, relation, object)) subjects->push_back(candidate);
  }
}

}  // namespace agentauthz::core
