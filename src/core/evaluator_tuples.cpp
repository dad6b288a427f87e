// Reading stored tuples for the evaluator, resolved against the model: a
// small object's tuples read whole once per statement, the subjects and
// parents a relation's tuples name, and the lookup of a subject's own
// grant.
#include "core/evaluator.h"

#include "core/error.h"

namespace agentauthz::core {

namespace {

// Subjects of an (object, relation) read as one list rather than probed.
constexpr size_t kFewSubjects = 64;
// Objects with at most this many tuples are read whole, once per statement.
constexpr size_t kSmallObject = 64;

}  // namespace

// Returns the resolved tuples of `object`, reading it whole on first use;
// nullptr when it is too large to read whole.
const Evaluator::ObjectTuples* Evaluator::object_tuples(const Object& object) {
  uint64_t key = static_cast<uint64_t>(static_cast<uint32_t>(object.type)) << 32 | object.id;
  if (const uint32_t* index = objects_.find(key)) {
    const ObjectTuples& entry = object_entries_[*index - 1];
    return entry.complete ? &entry : nullptr;
  }
  // One check may read many objects (a long list of groups): the cache
  // also starts over within it. Safe here: callers use what this returns
  // before reading another object.
  if (object_bytes() > options_.max_cache_bytes) clear_objects();
  const Model& model = *model_;
  ObjectTuples entry;
  entry.begin = static_cast<uint32_t>(stored_.size());
  entry.complete = reader_.read_object(
      ObjectKey{model.type(object.type).name, interner_.text(object.id)}, kSmallObject,
      [&](std::string_view relation, const SubjectKey& subject) {
        // Tuples naming what the model does not know can never match.
        RelationId rel = model.find_relation(object.type, relation);
        TypeId type = model.find_type(subject.type);
        if (rel < 0 || type < 0) return true;
        RelationId member = -1;
        if (subject.is_userset()) {
          member = model.find_relation(type, subject.relation);
          if (member < 0) return true;
        }
        uint32_t condition = 0;
        if (!subject.condition.empty()) {
          stored_conditions_.push_back(StoredCondition{condition_id(subject.condition),
                                                       std::string(subject.condition.context)});
          condition = static_cast<uint32_t>(stored_conditions_.size());
        }
        stored_.push_back(StoredTuple{rel, type, interner_.intern(subject.id), member, condition});
        return true;
      });
  if (!entry.complete) stored_.resize(entry.begin);
  entry.count = static_cast<uint32_t>(stored_.size()) - entry.begin;
  object_entries_.push_back(entry);
  objects_.set(key, static_cast<uint32_t>(object_entries_.size()));
  return entry.complete ? &object_entries_.back() : nullptr;
}

ConditionId Evaluator::condition_id(const TupleCondition& condition) const {
  if (condition.empty()) return -1;
  ConditionId id = model_->find_condition(condition.name);
  return id < 0 ? kUnknownCondition : id;
}

Evaluator::Gate Evaluator::gate(const RelationInfo& relation, const Object& object, TypeId type,
                                std::string_view id, RelationId subject_relation,
                                ConditionId condition, std::string_view context, Proof* step) {
  if (!relation.conditional) return condition < 0 ? Gate::Pass : Gate::Skip;
  if (condition == kUnknownCondition) return Gate::Skip;
  bool wildcard = subject_relation < 0 && id == "*";
  if (!model_->allows_tuple(relation.id, type, subject_relation, wildcard, condition))
    return Gate::Skip;
  if (condition < 0) return Gate::Pass;
  // Binding a large context (a list of a million values) takes a while:
  // every evaluation may be cancelled, not every 64th step.
  if (options_.interrupted && options_.interrupted())
    throw Error(ErrorKind::Cancelled, "evaluation cancelled");
  std::string tuple =
      format(object) + "#" + relation.name + "@" + format_object(model_->type(type).name, id);
  if (subject_relation >= 0) tuple.append(1, '#').append(model_->relation(subject_relation).name);
  ConditionResult result =
      conditions_.evaluate(*model_, condition, tuple, context, step != nullptr);
  if (step != nullptr) {
    step->condition = model_->condition(condition).name;
    step->condition_values = result.values;
    step->condition_met = result.verdict == ConditionVerdict::Met;
    if (result.verdict == ConditionVerdict::Error) step->note = result.error;
  }
  if (result.verdict == ConditionVerdict::Error) {
    if (condition_error_.empty()) condition_error_ = std::move(result.error);
    return Gate::Error;
  }
  return result.verdict == ConditionVerdict::Met ? Gate::Pass : Gate::Skip;
}

// Returns whether the tuple object#relation@subject is stored; sets
// *condition to its condition.
bool Evaluator::contains(const Object& object, const RelationInfo& relation, const Subject& subject,
                         TupleCondition* condition) {
  SubjectKey key;
  key.type = model_->type(subject.type).name;
  key.id = interner_.text(subject.id);
  if (subject.userset()) key.relation = model_->relation(subject.relation).name;
  return reader_.contains(ObjectKey{model_->type(object.type).name, interner_.text(object.id)},
                          relation.name, key, condition);
}

// Looks for a tuple of object#relation naming the subject itself ("direct")
// or its type's wildcard ("wildcard"), and collects the usersets the
// relation allows. A short list is read once (and cached for the statement:
// a folder's viewers serve every user); a long one is probed for the
// subject and scanned for usersets only. Tuples whose condition is not met
// do not count; one that cannot be evaluated sets *condition_error.
const char* Evaluator::find_direct(const RelationInfo& relation, const Subject& subject,
                                   const Object& object,
                                   std::vector<std::pair<Object, RelationId>>* usersets,
                                   bool* condition_error, Proof* step) {
  const Model& model = *model_;
  const TypeInfo& subject_type = model.type(subject.type);
  bool own_allowed = model.allows(relation.id, subject.type, subject.relation, subject.wildcard());
  // A `type:*` tuple grants every subject of that type, usersets included.
  bool wildcard_allowed = !subject.wildcard() && model.allows(relation.id, subject.type, -1, true);
  ObjectKey key{model.type(object.type).name, interner_.text(object.id)};
  std::string_view subject_id = interner_.text(subject.id);
  std::string_view subject_relation = subject.userset()
                                          ? std::string_view(model.relation(subject.relation).name)
                                          : std::string_view();
  // Whether a tuple counts; a tuple that does not is not a userset either.
  auto counts = [&](TypeId type, std::string_view id, RelationId member, ConditionId condition,
                    std::string_view context, Proof* explain) {
    Gate verdict = gate(relation, object, type, id, member, condition, context, explain);
    if (verdict == Gate::Error) *condition_error = true;
    return verdict == Gate::Pass;
  };

  if (const ObjectTuples* tuples = object_tuples(object)) {
    for (uint32_t i = tuples->begin; i < tuples->begin + tuples->count; ++i) {
      const StoredTuple& t = stored_[i];
      if (t.relation != relation.id) continue;
      const char* kind = nullptr;
      if (t.type == subject.type) {
        if (own_allowed && t.id == subject.id && t.subject_relation == subject.relation)
          kind = "direct";
        else if (wildcard_allowed && t.id == Interner::kWildcard && t.subject_relation < 0)
          kind = "wildcard";
      }
      bool userset =
          t.subject_relation >= 0 && model.allows(relation.id, t.type, t.subject_relation, false);
      if (kind == nullptr && !userset) continue;
      const StoredCondition* condition =
          t.condition == 0 ? nullptr : &stored_conditions_[t.condition - 1];
      if (!counts(t.type, interner_.text(t.id), t.subject_relation, condition ? condition->id : -1,
                  condition ? std::string_view(condition->context) : std::string_view(),
                  kind ? step : nullptr))
        continue;
      if (kind != nullptr) {
        usersets->clear();
        return kind;
      }
      usersets->emplace_back(Object{t.type, t.id}, t.subject_relation);
    }
    return nullptr;
  }

  // Records a userset the relation allows.
  auto note_userset = [&](const SubjectKey& stored) {
    TypeId type = model.find_type(stored.type);
    if (type < 0) return;
    RelationId member = model.find_relation(type, stored.relation);
    if (member < 0 || !model.allows(relation.id, type, member, false)) return;
    if (!counts(type, stored.id, member, condition_id(stored.condition), stored.condition.context,
                nullptr))
      return;
    usersets->emplace_back(Object{type, interner_.intern(stored.id)}, member);
  };

  if (relation.allows_usersets || wildcard_allowed) {
    const char* granted_by = nullptr;
    bool few =
        reader_.read_few_subjects(key, relation.name, kFewSubjects, [&](const SubjectKey& stored) {
          const char* kind = nullptr;
          if (stored.type == subject_type.name) {
            if (own_allowed && stored.id == subject_id && stored.relation == subject_relation)
              kind = "direct";
            else if (wildcard_allowed && stored.is_wildcard())
              kind = "wildcard";
          }
          if (kind != nullptr) {
            RelationId member = stored.is_wildcard() ? -1 : subject.relation;
            if (counts(subject.type, stored.id, member, condition_id(stored.condition),
                       stored.condition.context, step))
              granted_by = kind;
            return granted_by == nullptr;
          }
          if (stored.is_userset()) note_userset(stored);
          return true;
        });
    if (few) {
      if (granted_by != nullptr) usersets->clear();
      return granted_by;
    }
    usersets->clear();
  }

  TupleCondition condition;
  if (own_allowed && contains(object, relation, subject, &condition) &&
      counts(subject.type, subject_id, subject.relation, condition_id(condition), condition.context,
             step))
    return "direct";
  if (wildcard_allowed &&
      contains(object, relation, Subject{subject.type, Interner::kWildcard, -1}, &condition) &&
      counts(subject.type, "*", -1, condition_id(condition), condition.context, step))
    return "wildcard";
  if (relation.allows_usersets)
    reader_.read_subjects(key, relation.name, SubjectFilter::UsersetsOnly,
                          [&](const SubjectKey& stored) {
                            note_userset(stored);
                            return true;
                          });
  return nullptr;
}

// Collects the parents named by the tupleset tuples of `object` whose type
// has the computed relation of `ttu`, with that relation.
void Evaluator::stored_parents(const RewriteNode& ttu, const Object& object,
                               std::vector<Object>* parents, std::vector<RelationId>* targets,
                               bool* condition_error, Proof* step) {
  const Model& model = *model_;
  const RelationInfo& tupleset = model.relation(ttu.tupleset);
  // Records a parent whose type has the computed relation (and, when
  // gating, whose tuple counts).
  auto note_parent = [&](TypeId type, Symbol id, ConditionId condition, std::string_view context) {
    if (!model.allows(tupleset.id, type, -1, false)) return;
    RelationId target = ttu.computed_by_type[type];
    if (target < 0) return;
    if (condition >= 0 && !tupleset.conditional) return;  // never counts
    if (condition_error != nullptr) {
      Gate verdict = gate(tupleset, object, type, interner_.text(id), -1, condition, context, step);
      if (verdict == Gate::Error) *condition_error = true;
      if (verdict != Gate::Pass) return;
    }
    parents->push_back(Object{type, id});
    targets->push_back(target);
  };
  if (const ObjectTuples* tuples = object_tuples(object)) {
    for (uint32_t i = tuples->begin; i < tuples->begin + tuples->count; ++i) {
      const StoredTuple& t = stored_[i];
      if (t.relation != tupleset.id || t.subject_relation >= 0 || t.id == Interner::kWildcard)
        continue;
      const StoredCondition* condition =
          t.condition == 0 ? nullptr : &stored_conditions_[t.condition - 1];
      note_parent(t.type, t.id, condition ? condition->id : -1,
                  condition ? std::string_view(condition->context) : std::string_view());
    }
    return;
  }
  reader_.read_subjects(ObjectKey{model.type(object.type).name, interner_.text(object.id)},
                        tupleset.name, SubjectFilter::All, [&](const SubjectKey& key) {
                          if (key.is_userset() || key.is_wildcard()) return true;
                          TypeId type = model.find_type(key.type);
                          if (type >= 0)
                            note_parent(type, interner_.intern(key.id), condition_id(key.condition),
                                        key.condition.context);
                          return true;
                        });
}

// Collects the subjects of the stored tuples object#relation that the
// relation's type restriction allows -- usersets only, or every kind --
// from the object's tuples when it is small, else from the reader.
void Evaluator::stored_subjects(const RelationInfo& relation, const Object& object,
                                SubjectFilter which, std::vector<Subject>* subjects,
                                bool* condition_error, TypeId plain_type) {
  bool usersets_only = which == SubjectFilter::UsersetsOnly;
  if (usersets_only && !relation.allows_usersets) return;
  const Model& model = *model_;
  // Records a subject the restriction allows (and, when gating, whose
  // tuple's condition is met).
  auto note_subject = [&](TypeId type, Symbol id, RelationId member, ConditionId condition,
                          std::string_view context) {
    if (member < 0 && plain_type >= 0 && type != plain_type) return;
    bool wildcard = member < 0 && id == Interner::kWildcard;
    if (!model.allows(relation.id, type, member, wildcard)) return;
    if (condition_error != nullptr) {
      Gate verdict =
          gate(relation, object, type, interner_.text(id), member, condition, context, nullptr);
      if (verdict == Gate::Error) *condition_error = true;
      if (verdict != Gate::Pass) return;
    }
    subjects->push_back(Subject{type, id, member});
  };
  if (const ObjectTuples* tuples = object_tuples(object)) {
    for (uint32_t i = tuples->begin; i < tuples->begin + tuples->count; ++i) {
      const StoredTuple& t = stored_[i];
      if (t.relation != relation.id || (usersets_only && t.subject_relation < 0)) continue;
      if (t.condition != 0 && !relation.conditional) continue;
      const StoredCondition* condition =
          t.condition == 0 ? nullptr : &stored_conditions_[t.condition - 1];
      note_subject(t.type, t.id, t.subject_relation, condition ? condition->id : -1,
                   condition ? std::string_view(condition->context) : std::string_view());
    }
    return;
  }
  reader_.read_subjects(ObjectKey{model.type(object.type).name, interner_.text(object.id)},
                        relation.name, which, [&](const SubjectKey& key) {
                          if (never_counts(relation, key.condition)) return true;
                          TypeId type = model.find_type(key.type);
                          if (type < 0) return true;
                          RelationId member = -1;
                          if (key.is_userset()) {
                            member = model.find_relation(type, key.relation);
                            if (member < 0) return true;
                          }
                          note_subject(type, interner_.intern(key.id), member,
                                       condition_id(key.condition), key.condition.context);
                          return true;
                        });
}

}  // namespace agentauthz::core
