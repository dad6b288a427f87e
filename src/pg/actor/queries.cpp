#include "pg/actor/queries.h"

#include <algorithm>
#include <charconv>

#include "core/error.h"
#include "core/tuple_key.h"
#include "pg/actor/active_actor.h"
#include "pg/actor/allowed_sets.h"
#include "pg/audit/audit.h"
#include "pg/catalog/catalog_rows.h"
#include "pg/common/guard.h"
#include "pg/engine/engine.h"
#include "pg/engine/visible_state.h"

namespace agentauthz::pg {

namespace {

// The (relation, type) an RLS policy asks about, resolved once per view
// rather than once per row: names are validated and looked up only when
// they differ from the last ones.
struct ResolvedTarget {
  uint64_t view = 0;
  std::string relation;
  std::string type;
  core::TypeId type_id = -1;
  core::RelationId relation_id = -1;
};

ResolvedTarget last_target;

const ResolvedTarget& resolve_target(Engine& engine, std::string_view relation,
                                     std::string_view type) {
  if (last_target.view == view_epoch() && last_target.relation == relation &&
      last_target.type == type)
    return last_target;
  core::RequestResolver resolve = engine.evaluator().resolver();
  last_target.view = 0;  // until resolved: a name error leaves no entry
  last_target.type_id = resolve.type(type);
  last_target.relation_id = resolve.relation(last_target.type_id, relation);
  last_target.relation.assign(relation);
  last_target.type.assign(type);
  last_target.view = view_epoch();
  return last_target;
}

}  // namespace

Decision actor_decides(const ActiveActor& actor, core::RelationId relation,
                       const core::Object& object, Disclosure* disclosure) {
  core::Evaluator& evaluator = Engine::get().evaluator();
  Decision decision = Decision::Denied;  // without a valid actor: fail closed
  bool allowed = false;
  if (actor.valid) {
    if (answer_from_allowed_set(actor, evaluator, relation, object, &allowed))
      decision = allowed ? Decision::Allowed : Decision::Denied;
    else
      decision = decide(actor, evaluator, relation, object);
  }
  if (disclosure) disclose(actor, evaluator, relation, object, disclosure);
  return decision;
}

namespace {

constexpr const char* kTooDeep = "the check exceeded agentauthz.max_depth, so it is not allowed";
constexpr const char* kUndecidable =
    "a condition could not be evaluated with the values given, so it is not allowed";
constexpr const char* kConflict =
    "the row's values contradict a condition value the delegation or the session pins";
constexpr const char* kUnnamed =
    "the key names no object of a type the model defines, so it is never allowed";

// Puts the decision on (relation, type:id) on record; returns whether it
// allows.
bool record(const ActiveActor& actor, core::RelationId relation, core::TypeId type,
            std::string_view relation_name, std::string_view type_name, std::string_view id,
            Decision decision) {
  if (audit::recording()) {
    if (decision == Decision::TooDeep)
      audit::note_refusal(actor, relation, type, relation_name, type_name, id, kTooDeep);
    else if (decision == Decision::Undecidable)
      audit::note_refusal(actor, relation, type, relation_name, type_name, id, kUndecidable);
    else if (decision == Decision::Conflict)
      audit::note_refusal(actor, relation, type, relation_name, type_name, id, kConflict);
    else
      audit::note_decision(actor, relation, type, relation_name, type_name, id,
                           decision == Decision::Allowed);
  }
  // The statement fails on a conflict (the refusal above is on record
  // whatever becomes of it).
  if (decision == Decision::Conflict) throw conflict_error();
  return decision == Decision::Allowed;
}

// Decides (relation, type:id) for the actor, the names resolved, and puts
// the decision on record.
bool decide_and_record(const ActiveActor& actor, core::RelationId relation, core::TypeId type,
                       std::string_view relation_name, std::string_view type_name,
                       std::string_view id) {
  Decision decision = Decision::Denied;
  bool allowed = false;
  if (answer_from_built_set(actor, type, relation, id, &allowed))
    decision = allowed ? Decision::Allowed : Decision::Denied;
  else
    decision =
        actor_decides(actor, relation, core::Object{type, Engine::get().interner().intern(id)});
  return record(actor, relation, type, relation_name, type_name, id, decision);
}

// Spells an integer id into `buffer` (kIntegerIdChars bytes).
constexpr size_t kIntegerIdChars = 20;  // "-9223372036854775808"
std::string_view spell_integer(int64_t id, char* buffer) {
  std::to_chars_result end = std::to_chars(buffer, buffer + kIntegerIdChars, id);
  return std::string_view(buffer, static_cast<size_t>(end.ptr - buffer));
}

// A key that names no object: never allowed, and on record as refused.
// The keys are the model's where it defines the names.
bool deny_unnamed(const ActiveActor& actor, int32_t relation_key, int32_t type_key,
                  std::string_view relation, std::string_view object_type, std::string_view id) {
  if (audit::recording())
    audit::note_refusal(actor, relation_key, type_key, relation, object_type, id, kUnnamed);
  return false;
}

// The same where the model may not define the names.
bool deny_unnamed(const ActiveActor& actor, std::string_view relation, std::string_view object_type,
                  std::string_view id) {
  return deny_unnamed(actor, audit::key_for_name(relation), audit::key_for_name(object_type),
                      relation, object_type, id);
}

// Spells `type:id` into `buffer` (kMaxObjectLength + 1 bytes); an empty
// view when it would be too long to be an object.
std::string_view spell_object(std::string_view object_type, std::string_view id, char* buffer) {
  size_t length = object_type.size() + 1 + id.size();
  if (length > core::kMaxObjectLength) return {};
  std::copy(object_type.begin(), object_type.end(), buffer);
  buffer[object_type.size()] = ':';
  std::copy(id.begin(), id.end(), buffer + object_type.size() + 1);
  return std::string_view(buffer, length);
}

[[noreturn]] void refuse_key(std::string_view object_type, std::string_view id) {
  throw core::Error(core::ErrorKind::InvalidArgument,
                    "the key " + core::quote_for_message(id) + " cannot name an object of type " +
                        core::quote_for_message(object_type),
                    "An id is 1 or more bytes without whitespace, control characters, ':' or '#', "
                    "and type:id is at most 256 bytes.");
}

}  // namespace

// Allows a row naming a new object, else decides the relation on the existing one.
bool actor_check_new_object(std::string_view relation, std::string_view object_type,
                            std::string_view id) {
  Engine& engine = Engine::get();
  engine.prepare();
  resolve_target(engine, relation,
                 object_type);  // the names are the policy's: wrong ones are errors
  char buffer[core::kMaxObjectLength + 1];
  std::string_view object = spell_object(object_type, id, buffer);
  core::ObjectKey key;
  if (object.empty() || !core::try_parse_object(object, &key)) refuse_key(object_type, id);
  // Judged on the latest committed tuples: an old snapshot must not make an
  // object that exists by now look new.
  bool named = false;
  pg_guard([&] { named = latest_tuples_name(object); });
  // A new object: its parent decides. One the stored tuples already name is
  // being attached, not created: that takes the relation on it, as a move.
  if (!named) return true;
  return actor_check(relation, object_type, id, MalformedKey::Refuse);
}

bool actor_check_new_object(std::string_view relation, std::string_view object_type, int64_t id) {
  char text[kIntegerIdChars];
  return actor_check_new_object(relation, object_type, spell_integer(id, text));
}

// Decides and records the relation on a `type:id` object taken from a row.
bool actor_check(std::string_view relation, std::string_view object) {
  Engine& engine = Engine::get();
  engine.prepare();
  const ActiveActor& actor = active_actor();
  // The object comes from a row: one that names no object of a type the
  // model defines is not allowed -- an error here would let one bad row
  // break every reader's scan.
  core::ObjectKey key;
  if (!core::try_parse_object(object, &key)) {
    size_t colon = object.find(':');
    return deny_unnamed(
        actor, relation, object.substr(0, colon),
        colon == std::string_view::npos ? std::string_view() : object.substr(colon + 1));
  }
  core::TypeId type = engine.model().find_type(key.type);
  if (type < 0) return deny_unnamed(actor, relation, key.type, key.id);
  // The relation is the policy's own: a wrong one is an error.
  const ResolvedTarget& target = resolve_target(engine, relation, key.type);
  return decide_and_record(actor, target.relation_id, type, relation, key.type, key.id);
}

bool actor_check(std::string_view relation, std::string_view object_type, std::string_view id,
                 MalformedKey malformed) {
  Engine& engine = Engine::get();
  engine.prepare();
  const ActiveActor& actor = active_actor();
  // The type and relation are the policy's own: wrong ones are errors.
  const ResolvedTarget& target = resolve_target(engine, relation, object_type);
  char buffer[core::kMaxObjectLength + 1];
  std::string_view object = spell_object(object_type, id, buffer);
  core::ObjectKey key;
  if (object.empty() || !core::try_parse_object(object, &key)) {
    if (malformed == MalformedKey::Refuse) refuse_key(object_type, id);
    return deny_unnamed(actor, target.relation_id, target.type_id, relation, object_type, id);
  }
  return decide_and_record(actor, target.relation_id, target.type_id, relation, object_type, id);
}

// Decides and records the relation on an integer key: set lookup, or its id interned once.
bool actor_check(std::string_view relation, std::string_view object_type, int64_t id,
                 MalformedKey malformed) {
  Engine& engine = Engine::get();
  engine.prepare();
  const ActiveActor& actor = active_actor();
  const ResolvedTarget& target = resolve_target(engine, relation, object_type);
  if (!actor.valid) {  // fail closed
    if (audit::recording())
      audit::note_decision(actor, target.relation_id, target.type_id, target.relation, target.type,
                           id, false);
    return false;
  }
  AllowedSet& set = allowed_set_for(target.type_id, target.relation_id);
  if (usable_in_context(actor, &set) && set.built) {
    bool allowed = set.integer_ids.contains(id);
    if (audit::recording())
      audit::note_decision(actor, target.relation_id, target.type_id, target.relation, target.type,
                           id, allowed);
    return allowed;
  }
  // Before the allowed set exists: the id becomes the interned symbol the
  // evaluator needs, its type and relation already resolved.
  char text[kIntegerIdChars];
  std::string_view digits = spell_integer(id, text);
  if (object_type.size() + 1 + digits.size() > core::kMaxObjectLength) {
    if (malformed == MalformedKey::Refuse) refuse_key(object_type, digits);
    return deny_unnamed(actor, target.relation_id, target.type_id, relation, object_type, digits);
  }
  core::Object object{target.type_id, engine.interner().intern(digits)};
  return record(actor, target.relation_id, target.type_id, relation, object_type, digits,
                actor_decides(actor, target.relation_id, object));
}

std::vector<std::string> actor_allowed_ids(std::string_view relation,
                                           std::string_view object_type) {
  Engine& engine = Engine::get();
  engine.prepare();
  const ActiveActor& actor = active_actor();
  core::Evaluator& evaluator = engine.evaluator();
  core::RequestResolver resolve = evaluator.resolver();
  core::TypeId type = resolve.type(object_type);
  core::RelationId rel = resolve.relation(type, relation);
  // Ids come once per path to them: repeats are sorted out whenever the
  // list doubles, so it stays within a few times the answer.
  std::vector<std::string> ids;
  size_t compact_at = 4096;
  auto compact = [&] {
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    compact_at = std::max<size_t>(4096, ids.size() * 2);
  };
  auto interned = [&](core::Symbol id) { ids.emplace_back(engine.interner().text(id)); };
  auto read = [&](std::string_view id) {
    ids.emplace_back(id);
    if (ids.size() >= compact_at) compact();
    return true;
  };
  list_allowed(actor, evaluator, rel, type, core::Evaluator::ObjectSink{interned, read});
  compact();
  if (audit::recording()) audit::note_listing(actor, relation, object_type, ids);
  return ids;
}

}  // namespace agentauthz::pg
