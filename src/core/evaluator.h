// Evaluation of check, list_objects, list_subjects and explain over a
// compiled model and a tuple reader, with OpenFGA's semantics: unions,
// intersections, exclusions, computed relations, tuple-to-userset, usersets,
// wildcards, type-restriction filtering, cycle detection and a depth limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/condition_context.h"
#include "core/flat_map.h"
#include "core/function_ref.h"
#include "core/interner.h"
#include "core/model.h"
#include "core/request.h"
#include "core/scope.h"
#include "core/tuple_reader.h"

namespace agentauthz::core {

struct EvalOptions {
  int max_depth = 25;  // dispatches (userset, tuple-to-userset hops) per path
  // Each cache kept across checks (check results, objects' tuples, users'
  // memberships, scope results) starts over, at the start of a check, once
  // it holds more than this.
  size_t max_cache_bytes = 64u << 20;
  std::function<bool()> interrupted;  // polled; true aborts with Error(Cancelled)
};

// One node of an explanation: how (object, relation) was or was not reached.
struct Proof {
  std::string rule;  // direct, wildcard, self, computed, tuple_to_userset, userset, union, ...
  std::string object;
  std::string relation;
  std::string tuple;  // the tuple the step used, if any
  std::string note;   // cycle, depth limit, no tuple, ...
  // The condition of the tuple the step used, the values it was evaluated
  // with (a JSON object's text) and whether it was met.
  std::string condition;
  std::string condition_values;
  bool condition_met = false;
  bool allowed = false;
  std::vector<Proof> children;
};

class Evaluator {
 public:
  Evaluator(std::shared_ptr<const Model> model, TupleReader& reader, Interner& interner,
            EvalOptions options = {});

  const Model& model() const { return *model_; }
  RequestResolver resolver() { return RequestResolver(*model_, interner_); }

  // Sets the request context tuples' conditions are evaluated with.
  // Results remembered under another context are dropped.
  void set_context(const ConditionContext& context);
  const ConditionContext& context() const { return conditions_.context(); }

  // Returns whether `subject` has `relation` on `object`. A condition that
  // cannot be evaluated (a parameter without a value, an evaluation error)
  // and decides the answer raises Error(InvalidArgument), as OpenFGA does.
  bool check(const Subject& subject, RelationId relation, const Object& object);
  // Like check, recording how the decision was reached.
  bool explain(const Subject& subject, RelationId relation, const Object& object, Proof* proof);
  // What a listing does with an object only reachable beyond max_depth:
  // raise DepthExceeded (OpenFGA's list_objects), or leave it out as not
  // granted (the actor's allowed set under row-level security, where rows
  // written by agents decide how deep a check goes).
  enum class BeyondDepth { Raise, Omit };
  // Appends the ids of objects of the relation's type that `subject` has it
  // on. Returns false, the list incomplete, when reaching them would visit
  // more than `max_nodes` (object, relation) nodes.
  bool list_objects(const Subject& subject, RelationId relation, std::vector<Symbol>* ids,
                    BeyondDepth beyond = BeyondDepth::Raise, size_t max_nodes = SIZE_MAX);
  // Where a listing reports its objects. `interned`: an object the walk
  // met as a node. `read`, when the listing leaves out what is too deep
  // (BeyondDepth::Omit): an object of a monotone relation that leads
  // nowhere further (a listing's documents, usually), its id as read from a
  // tuple -- not interned, not de-duplicated (it comes once per path to it,
  // and may come as interned too): a listing of 500,000 ids must not intern
  // each one. `read` returns false to stop the listing (too many ids), which
  // then returns false. (Raising on depth needs each object's first
  // meeting, so that listing meets every object as a node.)
  struct ObjectSink {
    FunctionRef<void(Symbol)> interned;
    FunctionRef<bool(std::string_view)> read;
  };
  // list_objects reporting to `sink`.
  bool list_objects(const Subject& subject, RelationId relation, const ObjectSink& sink,
                    BeyondDepth beyond = BeyondDepth::Raise, size_t max_nodes = SIZE_MAX);
  // Appends the subjects matching `filter` (type, optional relation) that
  // have `relation` on `object`; `type:*` stands for a wildcard grant.
  void list_subjects(const Object& object, RelationId relation, const Subject& filter,
                     std::vector<Subject>* subjects);

  // Returns whether evaluating `relation` on `object` reaches a node the
  // scope names: the virtual-subject rule for delegation scopes. Unions and
  // intersections are followed into every branch, exclusions into their
  // base only; no tuple grants the virtual subject itself. `scope_key`
  // names the scope among those used while the memo lives.
  bool scope_allows(const ResolvedScope& scope, uint32_t scope_key, RelationId relation,
                    const Object& object);

  // Drops check results and tuples remembered across calls (tuples or
  // snapshot changed).
  void clear_memo();
  // Drops the check results but keeps the tuples read: the data is the
  // same, but a result found at one depth does not hold at every depth, so
  // results are not carried from one statement into the next.
  void clear_results();
  size_t memo_size() const { return memo_.size(); }
  // Tuples remembered across calls (resolved object tuples).
  size_t cached_tuples() const { return stored_.size(); }
  // The memory its caches hold, as allocated.
  size_t bytes() const;

  std::string format(const Object& object) const;
  std::string format(const Subject& subject) const;

 private:
  // ConditionError: a condition could not be evaluated (its message is in
  // condition_error_); OpenFGA reports it unless a grant elsewhere decides.
  enum class Outcome : uint8_t { False, True, Cycle, DepthExceeded, ConditionError };
  // Whether a stored tuple counts for the request (see gate()).
  enum class Gate : uint8_t { Pass, Skip, Error };
  struct MemoKey {
    uint64_t subject;
    uint64_t node;
    bool operator==(const MemoKey& o) const { return subject == o.subject && node == o.node; }
  };
  struct MemoKeyHash {
    size_t operator()(const MemoKey& k) const;
  };
  // kCycle: false, and evaluating it meets a cycle (OpenFGA reports such a
  // result as "cycle detected", which an exclusion or intersection above
  // treats differently from a plain false).
  enum MemoState : uint8_t { kTrue = 1, kFalse = 2, kCycle = 3 };
  // A remembered result with the depth it was found at: it holds wherever
  // at least as much depth budget remains, and is found again otherwise
  // (where the depth limit may be what the check meets).
  struct Remembered {
    uint8_t state = 0;
    uint16_t depth = 0;
  };

  // A stored tuple of a small object, resolved against the model.
  struct StoredTuple {
    RelationId relation;
    TypeId type;
    Symbol id;                    // Interner::kWildcard for `type:*`
    RelationId subject_relation;  // -1 unless a userset
    uint32_t condition = 0;       // stored_conditions_ index + 1; 0 when unconditional
  };
  // The condition of a stored tuple: kUnknownCondition when the model does
  // not define it (such a tuple never counts).
  struct StoredCondition {
    ConditionId id;
    std::string context;
  };
  static constexpr ConditionId kUnknownCondition = -2;
  // The tuples of one object: stored_[begin, begin + count), or unknown
  // when the object has more than a whole read takes.
  struct ObjectTuples {
    uint32_t begin = 0;
    uint32_t count = 0;
    bool complete = false;
  };
  struct IdentityHash {
    size_t operator()(uint64_t key) const { return static_cast<size_t>(mix64(key)); }
  };
  struct IdentityHash32 {
    size_t operator()(uint32_t key) const { return static_cast<size_t>(mix64(key)); }
  };

  // The walks of a relation's rewrite tree (core/rewrite_walk.h): check and
  // explain, a delegation scope's reach, list_subjects' expansion.
  struct CheckWalk;
  struct ScopeWalk;
  struct SubjectsWalk;
  // Folds check outcomes as a union does: a grant decides at once.
  class AnyGrant;

  static MemoKey memo_key(const Subject& subject, const Object& object, RelationId relation);
  Outcome resolve(const Subject& subject, const Object& object, RelationId relation, int depth,
                  Proof* proof);
  // The remembered outcome of `key` when it holds at `depth`, else nullptr.
  const Remembered* remembered_at(const MemoKey& key, int depth) const;
  Outcome remembered(const Remembered& known);
  Proof* add_child(Proof* parent);
  Outcome search(const Subject& subject, const Object& object, RelationId relation, int depth);
  Outcome direct(const RelationInfo& relation, const Subject& subject, const Object& object,
                 int depth, Proof* proof);
  const char* find_direct(const RelationInfo& relation, const Subject& subject,
                          const Object& object,
                          std::vector<std::pair<Object, RelationId>>* usersets,
                          bool* condition_error, Proof* step);
  // Decides whether a stored tuple object#relation@(type, id, subject
  // relation) counts for the request: the model must allow its subject
  // shape with its condition, and the condition must be met under the
  // request's context. An evaluation error is recorded (Error). `step`,
  // when explaining, receives the condition and its values.
  Gate gate(const RelationInfo& relation, const Object& object, TypeId type, std::string_view id,
            RelationId subject_relation, ConditionId condition, std::string_view context,
            Proof* step);
  ConditionId condition_id(const TupleCondition& condition) const;
  // True for a conditional tuple of a relation whose restriction allows no
  // condition (the model changed since it was written): it never counts,
  // not even in a superset of candidates that check does not confirm.
  static bool never_counts(const RelationInfo& relation, const TupleCondition& condition) {
    return !condition.empty() && !relation.conditional;
  }
  // With `condition_error` null, every subject the model allows the shape
  // of (list_subjects' superset); otherwise only those whose tuple's
  // condition is met, errors flagged in *condition_error. `plain_type`
  // (when >= 0) leaves out plain subjects of any other type, unread.
  void stored_subjects(const RelationInfo& relation, const Object& object, SubjectFilter which,
                       std::vector<Subject>* subjects, bool* condition_error = nullptr,
                       TypeId plain_type = -1);
  bool reaches(const ResolvedScope& scope, const Object& object, RelationId relation, int depth);
  // With `condition_error` null, every parent the model allows the shape
  // of (list_subjects' and scopes' superset); otherwise only those whose
  // tuple's condition is met, errors flagged in *condition_error.
  void stored_parents(const RewriteNode& ttu, const Object& object, std::vector<Object>* parents,
                      std::vector<RelationId>* targets, bool* condition_error = nullptr,
                      Proof* step = nullptr);
  // Returns the resolved tuples of `object`, reading it whole on first use;
  // nullptr when it is too large to read whole.
  const ObjectTuples* object_tuples(const Object& object);
  Outcome tuple_to_userset(const RewriteNode& ttu, const Subject& subject, const Object& object,
                           int depth, Proof* proof);
  bool contains(const Object& object, const RelationInfo& relation, const Subject& subject,
                TupleCondition* condition);
  Outcome top_level(const Subject& subject, RelationId relation, const Object& object,
                    Proof* proof);
  void poll_interrupt();
  std::vector<char> relevant_relations(RelationId target) const;
  const std::vector<char>& relevant_to(RelationId target);
  bool list_objects(const Subject& subject, RelationId relation, const ObjectSink& sink,
                    BeyondDepth beyond, size_t max_nodes, bool report_read);
  // `found_read`, when given, receives the target's leaf objects as read
  // (see ObjectSink) instead of `found`.
  bool expand_reverse(const Subject& subject, RelationId target, size_t max_nodes,
                      bool raise_on_depth, FunctionRef<void(Symbol, int)> found,
                      const FunctionRef<bool(std::string_view)>* found_read = nullptr);
  // The objects on which a subject has a union-only relation, each with its
  // distance from the subject: a user's groups, computed once per
  // statement from the user's side. nullptr when there are too many.
  struct Membership {
    FlatMap<uint32_t, uint16_t, IdentityHash32> members;
    bool complete = false;
  };
  const Membership* membership(const Subject& subject, RelationId relation);
  void clear_objects();
  void clear_memberships();
  size_t object_bytes() const;
  // Starts each cache over that outgrew options_.max_cache_bytes; called
  // where no check is under way (nothing refers into them).
  void bound_caches();

  std::shared_ptr<const Model> model_;
  TupleReader& reader_;
  Interner& interner_;
  EvalOptions options_;
  FlatMap<MemoKey, Remembered, MemoKeyHash> memo_;  // final results, across checks
  std::vector<MemoKey> path_;                       // nodes being resolved (cycle detection)
  uint64_t cycles_ = 0;
  uint32_t steps_ = 0;
  size_t proof_nodes_ = 0;                             // nodes in the explanation being built
  FlatMap<uint64_t, uint32_t, IdentityHash> objects_;  // (type, id) -> object_entries_ + 1
  std::vector<ObjectTuples> object_entries_;
  std::vector<StoredTuple> stored_;
  std::vector<StoredCondition> stored_conditions_;
  ConditionEvaluator conditions_;
  std::string condition_error_;  // the first condition error of the current request
  FlatMap<MemoKey, uint32_t, MemoKeyHash> membership_index_;  // -> memberships_ + 1
  std::vector<Membership> memberships_;
  size_t membership_bytes_ = 0;                        // held by memberships_' sets
  std::vector<std::vector<char>> relevant_cache_;      // per target relation
  FlatMap<MemoKey, uint8_t, MemoKeyHash> scope_memo_;  // (scope, object, relation) -> allowed
  FlatMap<MemoKey, uint8_t, MemoKeyHash> scope_seen_;  // nodes visited by one scope walk
  bool reachability_ = false;                          // the current check involves unions only
  // Nodes found false so far by a union-only check (see resolve()), settled
  // when the check ends.
  FlatMap<MemoKey, uint8_t, MemoKeyHash> provisional_;
  std::vector<MemoKey> provisional_keys_;
};

}  // namespace agentauthz::core
