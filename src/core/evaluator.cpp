#include "core/evaluator.h"

#include <utility>

#include "core/error.h"
#include "core/rewrite_walk.h"

namespace agentauthz::core {

namespace {

// Bounds on an explanation: a denied request over a large graph visits a
// lot, and the answer must stay readable.
constexpr size_t kMaxProofChildren = 64;
constexpr size_t kMaxProofNodes = 5000;

// Empties `v`, and frees its memory when it grew large (clear() alone
// keeps the capacity).
template <typename Vector>
void release(Vector* v) {
  constexpr size_t kKeepBytes = 1u << 20;
  if (v->capacity() * sizeof((*v)[0]) > kKeepBytes)
    Vector().swap(*v);
  else
    v->clear();
}

}  // namespace

// Returns the child proof to fill, or nullptr when not tracing.
Proof* Evaluator::add_child(Proof* parent) {
  if (parent == nullptr) return nullptr;
  if (parent->children.size() >= kMaxProofChildren || proof_nodes_ >= kMaxProofNodes) {
    parent->note = "further branches omitted";
    return nullptr;
  }
  ++proof_nodes_;
  parent->children.emplace_back();
  return &parent->children.back();
}

namespace {

// Keeps only the branch that granted, so an explanation shows one path.
void keep_only_last(Proof* proof) {
  if (proof == nullptr || proof->children.empty()) return;
  proof->allowed = true;
  Proof granted = std::move(proof->children.back());
  proof->children.clear();
  proof->children.push_back(std::move(granted));
}

}  // namespace

size_t Evaluator::MemoKeyHash::operator()(const MemoKey& k) const {
  return static_cast<size_t>(mix64(k.subject) ^ (mix64(k.node + 0x9e3779b97f4a7c15ULL) >> 1));
}

Evaluator::Evaluator(std::shared_ptr<const Model> model, TupleReader& reader, Interner& interner,
                     EvalOptions options)
    : model_(std::move(model)),
      reader_(reader),
      interner_(interner),
      options_(std::move(options)) {}

void Evaluator::clear_memo() {
  clear_results();
  clear_objects();
}

void Evaluator::clear_results() {
  memo_.clear();
  scope_memo_.clear();
  clear_memberships();
}

void Evaluator::clear_objects() {
  objects_.clear();
  release(&object_entries_);
  release(&stored_);
  release(&stored_conditions_);
  conditions_.clear_parsed();
}

void Evaluator::set_context(const ConditionContext& context) {
  if (context.text() == conditions_.context().text()) return;
  // Results kept under the old context may have depended on it.
  if (model_->has_conditions()) clear_results();
  conditions_.set_context(context);
}

void Evaluator::clear_memberships() {
  membership_index_.clear();
  release(&memberships_);
  membership_bytes_ = 0;
}

size_t Evaluator::object_bytes() const {
  return objects_.bytes() + object_entries_.capacity() * sizeof(ObjectTuples) +
         stored_.capacity() * sizeof(StoredTuple) +
         stored_conditions_.capacity() * sizeof(StoredCondition) + conditions_.bytes();
}

size_t Evaluator::bytes() const {
  return memo_.bytes() + object_bytes() + membership_index_.bytes() +
         memberships_.capacity() * sizeof(Membership) + membership_bytes_ + scope_memo_.bytes() +
         scope_seen_.bytes() + provisional_.bytes() +
         provisional_keys_.capacity() * sizeof(MemoKey) + path_.capacity() * sizeof(MemoKey);
}

void Evaluator::bound_caches() {
  size_t limit = options_.max_cache_bytes;
  if (memo_.bytes() > limit) memo_.clear();
  if (object_bytes() > limit) clear_objects();
  if (membership_index_.bytes() + membership_bytes_ > limit) clear_memberships();
  if (scope_memo_.bytes() > limit) scope_memo_.clear();
}

Evaluator::MemoKey Evaluator::memo_key(const Subject& subject, const Object& object,
                                       RelationId relation) {
  uint64_t s = static_cast<uint64_t>(static_cast<uint16_t>(subject.type)) |
               static_cast<uint64_t>(static_cast<uint16_t>(subject.relation + 1)) << 16 |
               static_cast<uint64_t>(subject.id) << 32;
  uint64_t n = static_cast<uint64_t>(static_cast<uint16_t>(object.type)) |
               static_cast<uint64_t>(static_cast<uint16_t>(relation + 1)) << 16 |
               static_cast<uint64_t>(object.id) << 32;
  return MemoKey{s, n};
}

std::string Evaluator::format(const Object& object) const {
  return format_object(model_->type(object.type).name, interner_.text(object.id));
}

std::string Evaluator::format(const Subject& subject) const {
  std::string out = format_object(model_->type(subject.type).name, interner_.text(subject.id));
  if (subject.userset()) out.append(1, '#').append(model_->relation(subject.relation).name);
  return out;
}

void Evaluator::poll_interrupt() {
  if ((++steps_ & 63) == 0 && options_.interrupted && options_.interrupted())
    throw Error(ErrorKind::Cancelled, "evaluation cancelled");
}

// Folds outcomes as OpenFGA's union does: a grant decides at once (an
// explanation keeps only the granting branch); otherwise depth exceeded
// outranks a condition error, which outranks a cycle, which outranks false. Unions use it, and so
// do the direct and tuple-to-userset leaves for the tuples they follow.
class Evaluator::AnyGrant {
 public:
  explicit AnyGrant(Proof* proof) : proof_(proof) {}
  // Takes the next outcome; true once granted.
  bool add(Outcome outcome) {
    if (outcome == Outcome::True) {
      granted_ = true;
      keep_only_last(proof_);
      return true;
    }
    error_ |= outcome == Outcome::DepthExceeded;
    condition_error_ |= outcome == Outcome::ConditionError;
    cycle_ |= outcome == Outcome::Cycle;
    return false;
  }
  Outcome result() const {
    if (granted_) return Outcome::True;
    if (error_) return Outcome::DepthExceeded;
    if (condition_error_) return Outcome::ConditionError;
    return cycle_ ? Outcome::Cycle : Outcome::False;
  }

 private:
  Proof* proof_;
  bool granted_ = false;
  bool error_ = false;
  bool condition_error_ = false;
  bool cycle_ = false;
};

// Check and explain as a walk of one relation's rewrite tree for `subject`
// on `object`: the leaves resolve the nodes their tuples lead to, one
// dispatch deeper; the operators combine four outcomes as OpenFGA does.
// `proof` receives this subtree's steps; nullptr unless explaining.
struct Evaluator::CheckWalk {
  using Result = Outcome;
  class Union;
  class Intersection;
  class Exclusion;

  Evaluator& self;
  const RelationInfo& relation;
  const Subject& subject;
  const Object& object;
  int depth;
  Proof* proof;

  Outcome direct() { return self.direct(relation, subject, object, depth, proof); }
  Outcome computed(RelationId target);
  Outcome tuple_to_userset(const RewriteNode& ttu) {
    return self.tuple_to_userset(ttu, subject, object, depth, proof);
  }
  Union union_fold() const;
  Intersection intersection_fold() const;
  Exclusion exclusion_fold() const;

  // Returns the walk for an operator's operands, whose steps go under a
  // new proof step named `rule`.
  CheckWalk operands(const char* rule) const {
    CheckWalk inner = *this;
    inner.proof = self.add_child(proof);
    if (inner.proof) inner.proof->rule = rule;
    return inner;
  }
};

Evaluator::Outcome Evaluator::CheckWalk::computed(RelationId target) {
  // Every rewrite hop counts towards the depth limit, computed ones too:
  // OpenFGA's suite expects a chain of 25 computed relations to fail.
  Proof* step = self.add_child(proof);
  if (step) step->rule = "computed";
  Outcome outcome = self.resolve(subject, object, target, depth + 1, self.add_child(step));
  if (step) step->allowed = outcome == Outcome::True;
  return outcome;
}

// `a or b`: granted by any operand (see AnyGrant).
class Evaluator::CheckWalk::Union {
 public:
  explicit Union(const CheckWalk& parent)
      : operands_(parent.operands("union")), any_(operands_.proof) {}
  CheckWalk& operands() { return operands_; }
  bool add(Outcome operand) { return any_.add(operand); }
  Outcome result() const { return any_.result(); }

 private:
  CheckWalk operands_;
  AnyGrant any_;
};

// `a and b`: the first operand found false or cyclic decides; otherwise
// an error on any operand (depth exceeded before a condition error) leaves
// it undecided; else granted.
class Evaluator::CheckWalk::Intersection {
 public:
  explicit Intersection(const CheckWalk& parent) : operands_(parent.operands("intersection")) {}
  CheckWalk& operands() { return operands_; }
  bool add(Outcome operand) {
    if (operand == Outcome::False || operand == Outcome::Cycle) {
      outcome_ = operand;
      return true;
    }
    if (operand == Outcome::DepthExceeded ||
        (operand == Outcome::ConditionError && outcome_ != Outcome::DepthExceeded))
      outcome_ = operand;
    return false;
  }
  Outcome result() {
    if (outcome_ == Outcome::True && operands_.proof) operands_.proof->allowed = true;
    return outcome_;
  }

 private:
  CheckWalk operands_;
  Outcome outcome_ = Outcome::True;
};

// `base but not subtracted`: a base found false or cyclic decides, and
// what it subtracts is not evaluated. Then a cyclic subtraction gives a
// cycle, a granted one false, and an error on either side (the base's
// first) leaves it undecided; else granted.
class Evaluator::CheckWalk::Exclusion {
 public:
  explicit Exclusion(const CheckWalk& parent) : operands_(parent.operands("exclusion")) {}
  CheckWalk& operands() { return operands_; }
  bool add(Outcome operand) {
    if (!has_base_) {
      has_base_ = true;
      outcome_ = operand;
      return operand == Outcome::False || operand == Outcome::Cycle;
    }
    subtract(operand);
    return true;
  }
  Outcome result() const { return outcome_; }

 private:
  // Applies the subtracted operand's outcome to the base's.
  void subtract(Outcome subtracted) {
    Proof* group = operands_.proof;
    if (group && group->children.size() == 2) group->children.back().note = "subtracted";
    if (subtracted == Outcome::Cycle) {
      outcome_ = Outcome::Cycle;
    } else if (subtracted == Outcome::True) {
      if (group) group->note = "excluded";
      outcome_ = Outcome::False;
    } else if (outcome_ == Outcome::DepthExceeded || subtracted == Outcome::DepthExceeded) {
      outcome_ = Outcome::DepthExceeded;
    } else if (outcome_ == Outcome::ConditionError || subtracted == Outcome::ConditionError) {
      outcome_ = Outcome::ConditionError;
    } else {
      if (group) group->allowed = true;
      outcome_ = Outcome::True;
    }
  }

  CheckWalk operands_;
  bool has_base_ = false;
  Outcome outcome_ = Outcome::False;
};

Evaluator::CheckWalk::Union Evaluator::CheckWalk::union_fold() const { return Union(*this); }
Evaluator::CheckWalk::Intersection Evaluator::CheckWalk::intersection_fold() const {
  return Intersection(*this);
}
Evaluator::CheckWalk::Exclusion Evaluator::CheckWalk::exclusion_fold() const {
  return Exclusion(*this);
}

bool Evaluator::check(const Subject& subject, RelationId relation, const Object& object) {
  return top_level(subject, relation, object, nullptr) == Outcome::True;
}

bool Evaluator::explain(const Subject& subject, RelationId relation, const Object& object,
                        Proof* proof) {
  // Remembered results would cut the explanation short.
  memo_.clear();
  proof_nodes_ = 0;
  Outcome outcome = top_level(subject, relation, object, proof);
  memo_.clear();
  return outcome == Outcome::True;
}

// Resolves one request from a clean search state, raising DepthExceeded
// when the depth limit is what decided it.
Evaluator::Outcome Evaluator::top_level(const Subject& subject, RelationId relation,
                                        const Object& object, Proof* proof) {
  bound_caches();
  reachability_ = false;
  path_.clear();
  provisional_.clear();
  provisional_keys_.clear();
  condition_error_.clear();
  Outcome outcome;
  try {
    outcome = resolve(subject, object, relation, 0, proof);
  } catch (...) {
    // Final results stay valid; what depended on the aborted search does not.
    reachability_ = false;
    path_.clear();
    provisional_.clear();
    provisional_keys_.clear();
    throw;
  }
  if (outcome == Outcome::DepthExceeded)
    throw Error(ErrorKind::DepthExceeded,
                "authorization model resolution exceeded the depth limit of " +
                    std::to_string(options_.max_depth),
                "checking " + format(subject) + " " + model_->relation(relation).name + " " +
                    format(object) + "; raise agentauthz.max_depth or simplify the data");
  if (outcome == Outcome::ConditionError) throw Error(ErrorKind::ConditionFailed, condition_error_);
  return outcome;
}

// Resolves (object, relation) for the subject: depth and cycle control,
// then the relation's rewrite. Results that did not depend on the path
// (no cycle cut below them) are remembered for later calls.
Evaluator::Outcome Evaluator::resolve(const Subject& subject, const Object& object,
                                      RelationId relation, int depth, Proof* proof) {
  const RelationInfo& info = model_->relation(relation);
  if (proof) {
    proof->rule = "relation";
    proof->object = format(object);
    proof->relation = info.name;
  }
  if (depth >= options_.max_depth) {
    if (proof) proof->note = "depth limit reached";
    return Outcome::DepthExceeded;
  }
  poll_interrupt();
  // A userset always has itself: check(group:x#member, member, group:x).
  if (subject.userset() && subject.relation == relation && subject.type == object.type &&
      subject.id == object.id) {
    if (proof) {
      proof->rule = "self";
      proof->allowed = true;
    }
    return Outcome::True;
  }
  MemoKey key = memo_key(subject, object, relation);
  if (!reachability_ && proof == nullptr && info.monotone) {
    if (const Remembered* known = remembered_at(key, depth)) return remembered(*known);
    return search(subject, object, relation, depth);
  }
  for (const MemoKey& open : path_) {
    if (open == key) {
      ++cycles_;
      if (proof) proof->note = "cycle";
      return Outcome::Cycle;
    }
  }
  if (const Remembered* known = remembered_at(key, depth)) return remembered(*known);
  if (reachability_ && provisional_.find(key)) {
    ++cycles_;
    return Outcome::Cycle;
  }
  uint64_t cycles_before = cycles_;
  path_.push_back(key);
  CheckWalk walk{*this, info, subject, object, depth, proof};
  Outcome outcome = walk_rewrite(info.rewrite, walk);
  path_.pop_back();
  // A result is final when no cycle was met below it; in a union-only
  // search a grant is final too (a cut cycle only ever hides grants).
  if (proof == nullptr &&
      (cycles_ == cycles_before || (reachability_ && outcome == Outcome::True)) &&
      (outcome == Outcome::True || outcome == Outcome::False)) {
    memo_.set(key,
              Remembered{outcome == Outcome::True ? kTrue : kFalse, static_cast<uint16_t>(depth)});
  } else if (reachability_ && (outcome == Outcome::False || outcome == Outcome::Cycle)) {
    // A union-only check is a graph search: a node found false need not be
    // searched again while this check runs, whatever path reaches it. This
    // keeps cyclic data (groups containing each other) linear, not
    // exponential.
    if (provisional_.insert(key, 1).second) provisional_keys_.push_back(key);
  }
  if (proof) proof->allowed = outcome == Outcome::True;
  return outcome;
}

// Evaluates a union-only relation as a graph search from scratch: every
// node is visited once, whatever path reaches it, so cyclic data stays
// linear; and the result does not depend on the path that led here, so it
// is remembered for every later check. Nodes found false on the way are
// settled when the search ends: if it found no grant they are final (as
// "cycle", since they met one); otherwise they are forgotten, as a cycle cut
// short may have hidden a grant from them.
Evaluator::Outcome Evaluator::search(const Subject& subject, const Object& object,
                                     RelationId relation, int depth) {
  // The nodes already on the path are not union-only, so this search never
  // meets them: it can share the path.
  reachability_ = true;
  Outcome outcome = resolve(subject, object, relation, depth, nullptr);
  reachability_ = false;
  // Each was found at this depth or deeper: this depth is a safe bound.
  if (outcome == Outcome::False || outcome == Outcome::Cycle)
    for (const MemoKey& key : provisional_keys_)
      memo_.set(key, Remembered{kCycle, static_cast<uint16_t>(depth)});
  provisional_.clear();
  provisional_keys_.clear();
  return outcome;
}

const Evaluator::Remembered* Evaluator::remembered_at(const MemoKey& key, int depth) const {
  const Remembered* known = memo_.find(key);
  return known != nullptr && depth <= known->depth ? known : nullptr;
}

Evaluator::Outcome Evaluator::remembered(const Remembered& known) {
  if (known.state == kTrue) return Outcome::True;
  if (known.state == kFalse) return Outcome::False;
  ++cycles_;
  return Outcome::Cycle;
}

// Resolves the direct part of a relation (`[user, user:*, group#member]`):
// the subject's own tuple, a wildcard tuple of its type, then every
// userset the relation allows, one dispatch deeper.
Evaluator::Outcome Evaluator::direct(const RelationInfo& relation, const Subject& subject,
                                     const Object& object, int depth, Proof* proof) {
  const Model& model = *model_;
  Proof* step = add_child(proof);
  if (step) {
    step->rule = "direct";
    step->object = format(object);
    step->relation = relation.name;
  }
  std::vector<std::pair<Object, RelationId>> usersets;
  bool condition_error = false;
  const char* granted_by =
      find_direct(relation, subject, object, &usersets, &condition_error, step);
  if (granted_by != nullptr) {
    if (step) {
      bool wildcard = std::string_view(granted_by) == "wildcard";
      step->rule = granted_by;
      step->allowed = true;
      step->tuple =
          format(object) + "#" + relation.name + "@" +
          (wildcard ? format(Subject{subject.type, Interner::kWildcard, -1}) : format(subject));
    }
    return Outcome::True;
  }

  // A grant through a union-only userset (a user's nested groups) is found
  // faster from the subject's side: its memberships, computed once per
  // statement. Only grants are taken from there; a miss still walks the
  // usersets, which reports cycles as OpenFGA does.
  if (proof == nullptr && !subject.userset()) {
    for (const auto& [userset, member] : usersets) {
      if (!model.relation(member).monotone) continue;
      const Membership* known = membership(subject, member);
      if (known == nullptr) continue;
      const uint16_t* distance = known->members.find(userset.id);
      if (distance != nullptr && depth + 1 + *distance < options_.max_depth) return Outcome::True;
    }
  }

  AnyGrant any(step);
  if (condition_error) any.add(Outcome::ConditionError);
  for (const auto& [userset, member] : usersets) {
    Proof* hop = add_child(step);
    Outcome outcome = resolve(subject, userset, member, depth + 1, hop);
    if (hop) {
      hop->rule = "userset";
      hop->tuple = format(object) + "#" + relation.name + "@" + format(userset) + "#" +
                   model.relation(member).name;
    }
    if (any.add(outcome)) break;
  }
  if (step && usersets.empty() && step->condition.empty()) step->note = "no matching tuple";
  return any.result();
}

// Resolves `relation from tupleset` (`ttu`) on every parent a tupleset
// tuple names, one dispatch deeper; parents whose type lacks the relation
// are skipped.
Evaluator::Outcome Evaluator::tuple_to_userset(const RewriteNode& ttu, const Subject& subject,
                                               const Object& object, int depth, Proof* proof) {
  const RelationInfo& tupleset = model_->relation(ttu.tupleset);
  Proof* step = add_child(proof);
  if (step) {
    step->rule = "tuple_to_userset";
    step->object = format(object);
    step->relation = ttu.computed_name + " from " + tupleset.name;
  }
  std::vector<Object> parents;
  std::vector<RelationId> targets;
  bool condition_error = false;
  stored_parents(ttu, object, &parents, &targets, &condition_error, step);

  AnyGrant any(step);
  if (condition_error) any.add(Outcome::ConditionError);
  for (size_t i = 0; i < parents.size(); ++i) {
    Proof* hop = add_child(step);
    Outcome outcome = resolve(subject, parents[i], targets[i], depth + 1, hop);
    if (hop) hop->tuple = format(object) + "#" + tupleset.name + "@" + format(parents[i]);
    if (any.add(outcome)) break;
  }
  if (step && parents.empty()) step->note = "no " + tupleset.name + " tuple";
  return any.result();
}

}  // namespace agentauthz::core
