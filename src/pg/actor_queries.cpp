#include "pg/actor_queries.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "core/flat_map.h"
#include "core/integer_set.h"
#include "core/tuple_key.h"
#include "pg/active_actor.h"
#include "pg/audit.h"
#include "pg/catalog_rows.h"
#include "pg/engine.h"
#include "pg/guard.h"
#include "pg/tuple_scans.h"
#include "pg/visible_state.h"

namespace agentauthz::pg {

namespace {

// After this many checks of one (relation, type) in a statement -- an RLS
// scan -- the actor's allowed set is computed once and each further row is
// a hash lookup.
constexpr uint32_t kChecksBeforeAllowedSet = 512;
// An allowed set larger than this is not kept; rows are checked one by one.
constexpr size_t kMaxAllowedSet = 2u << 20;

struct SymbolHash {
  size_t operator()(uint32_t key) const { return static_cast<size_t>(core::mix64(key)); }
};

struct AllowedSet {
  core::TypeId type = -1;
  core::RelationId relation = -1;
  uint32_t checks = 0;   // in the current statement
  uint64 statement = 0;
  bool built = false;
  bool unusable = false;  // too large, or too deep to list
  core::FlatMap<uint32_t, uint8_t, SymbolHash> ids;
  // The ids that are integers in canonical decimal form: an integer key
  // column is looked up without formatting or interning its value.
  core::IntegerSet integer_ids;
};

std::vector<AllowedSet> allowed_sets;
uint64_t allowed_sets_epoch = 0;

// Resolves the subject checks are made for; false when the active model no
// longer defines its type (nothing is granted then).
bool actor_subject(const ActiveActor& actor, core::RequestResolver& resolve, core::Subject* out) {
  try {
    *out = resolve.subject(actor.subject);
    return true;
  } catch (const core::Error& error) {
    if (error.kind() == core::ErrorKind::UndefinedName) return false;
    throw;
  }
}

// Whether every delegation link's scope reaches (relation, object).
bool within_scopes(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
                   const core::Object& object) {
  for (size_t i = 0; i < actor.scopes.size(); ++i)
    if (!evaluator.scope_allows(actor.scopes[i], static_cast<uint32_t>(actor.links[i].id),
                                relation, object))
      return false;
  return true;
}

// Lists the allowed objects: the subject's, then those every scope reaches.
std::vector<core::Symbol> list_allowed(const ActiveActor& actor, core::Evaluator& evaluator,
                                       core::RelationId relation, core::TypeId type) {
  std::vector<core::Symbol> ids;
  core::RequestResolver resolve = evaluator.resolver();
  core::Subject who;
  if (!actor.valid || !actor_subject(actor, resolve, &who)) return ids;
  // Too deep is not allowed, as for a single check (actor_decides).
  evaluator.list_objects(who, relation, &ids, core::Evaluator::BeyondDepth::Omit);
  if (!actor.scopes.empty()) {
    ids.erase(std::remove_if(ids.begin(), ids.end(),
                             [&](core::Symbol id) {
                               return !within_scopes(actor, evaluator, relation,
                                                     core::Object{type, id});
                             }),
              ids.end());
  }
  return ids;
}

// Parses `text` when it is how an integer prints: an optional minus sign,
// then digits without leading zeros. "007" is not the object 7.
bool parse_canonical_integer(std::string_view text, int64_t* out) {
  size_t digits = text.size();
  const char* p = text.data();
  bool negative = !text.empty() && text[0] == '-';
  if (negative) ++p, --digits;
  if (digits == 0 || digits > 19 || (p[0] == '0' && (digits > 1 || negative))) return false;
  uint64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    if (p[i] < '0' || p[i] > '9') return false;
    value = value * 10 + static_cast<uint64_t>(p[i] - '0');
  }
  uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (value > limit) return false;  // 19 digits can exceed int64, not wrap uint64
  *out = negative ? static_cast<int64_t>(0 - value) : static_cast<int64_t>(value);
  return true;
}

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

const ResolvedTarget& resolve_target(Engine& engine, std::string_view relation, std::string_view type) {
  if (last_target.view == view_epoch() && last_target.relation == relation && last_target.type == type)
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

AllowedSet& allowed_set_for(core::TypeId type, core::RelationId relation) {
  if (allowed_sets_epoch != active_actor_epoch()) {
    allowed_sets.clear();
    allowed_sets_epoch = active_actor_epoch();
  }
  for (AllowedSet& set : allowed_sets)
    if (set.type == type && set.relation == relation) return set;
  allowed_sets.emplace_back();
  allowed_sets.back().type = type;
  allowed_sets.back().relation = relation;
  return allowed_sets.back();
}

// Answers from the statement's allowed set once the same question has been
// asked often enough; returns false when the row must be checked itself.
bool answer_from_allowed_set(const ActiveActor& actor, core::Evaluator& evaluator,
                             core::RelationId relation, const core::Object& object, bool* allowed) {
  AllowedSet& set = allowed_set_for(object.type, relation);
  if (set.unusable) return false;
  if (!set.built) {
    // Counted per statement: a set kept across statements (see
    // visible_state.h) is built by a scan, never by a series of lookups.
    if (set.statement != scans_statement()) {
      set.statement = scans_statement();
      set.checks = 0;
    }
    if (++set.checks < kChecksBeforeAllowedSet) return false;
    std::vector<core::Symbol> ids;
    try {
      ids = list_allowed(actor, evaluator, relation, object.type);
    } catch (const core::Error& error) {
      if (error.kind() != core::ErrorKind::DepthExceeded) throw;
      set.unusable = true;
      return false;
    }
    if (ids.size() > kMaxAllowedSet) {
      set.unusable = true;
      return false;
    }
    const core::Interner& interner = Engine::get().interner();
    std::vector<int64_t> numbers;
    for (core::Symbol id : ids) {
      set.ids.insert(id, 1);
      int64_t number = 0;
      if (parse_canonical_integer(interner.text(id), &number)) numbers.push_back(number);
    }
    set.integer_ids.assign(numbers);
    set.built = true;
  }
  *allowed = set.ids.find(object.id) != nullptr;
  return true;
}

}  // namespace

Decision actor_decides(const ActiveActor& actor, core::RelationId relation, const core::Object& object) {
  if (!actor.valid) return Decision::Denied;  // fail closed
  core::Evaluator& evaluator = Engine::get().evaluator();
  bool allowed = false;
  if (answer_from_allowed_set(actor, evaluator, relation, object, &allowed))
    return allowed ? Decision::Allowed : Decision::Denied;
  // Data decides how deep a check goes, and rows may be written by agents:
  // a check too deep to decide is not allowed, never an error for a reader.
  try {
    if (!within_scopes(actor, evaluator, relation, object)) return Decision::Denied;
    core::RequestResolver resolve = evaluator.resolver();
    core::Subject who;
    if (!actor_subject(actor, resolve, &who)) return Decision::Denied;
    return evaluator.check(who, relation, object) ? Decision::Allowed : Decision::Denied;
  } catch (const core::Error& error) {
    if (error.kind() != core::ErrorKind::DepthExceeded) throw;
  }
  return Decision::TooDeep;
}

namespace {

constexpr const char* kTooDeep = "the check exceeded agentauthz.max_depth, so it is not allowed";
constexpr const char* kUnnamed = "the key names no object of a type the model defines, so it is never allowed";

// Decides (relation, type:id) for the actor, the names resolved, and puts
// the decision on record.
bool decide_and_record(const ActiveActor& actor, core::RelationId relation, core::TypeId type,
                       std::string_view relation_name, std::string_view type_name, std::string_view id) {
  core::Object target{type, Engine::get().interner().intern(id)};
  Decision decision = actor_decides(actor, relation, target);
  if (audit::recording()) {
    if (decision == Decision::TooDeep)
      audit::note_refusal(actor, relation, type, relation_name, type_name, id, kTooDeep);
    else
      audit::note_decision(actor, relation, type, relation_name, type_name, id, decision == Decision::Allowed);
  }
  return decision == Decision::Allowed;
}

// A key that names no object: never allowed, and on record as refused.
// The keys are the model's where it defines the names.
bool deny_unnamed(const ActiveActor& actor, int32_t relation_key, int32_t type_key, std::string_view relation,
                  std::string_view object_type, std::string_view id) {
  if (audit::recording()) audit::note_refusal(actor, relation_key, type_key, relation, object_type, id, kUnnamed);
  return false;
}

// The same where the model may not define the names.
bool deny_unnamed(const ActiveActor& actor, std::string_view relation, std::string_view object_type,
                  std::string_view id) {
  return deny_unnamed(actor, audit::key_for_name(relation), audit::key_for_name(object_type), relation,
                      object_type, id);
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

bool actor_check_new_object(std::string_view relation, std::string_view object_type, std::string_view id) {
  Engine& engine = Engine::get();
  engine.prepare();
  resolve_target(engine, relation, object_type);  // the names are the policy's: wrong ones are errors
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
  char text[24];
  int length = snprintf(text, sizeof text, "%lld", static_cast<long long>(id));
  return actor_check_new_object(relation, object_type, std::string_view(text, static_cast<size_t>(length)));
}

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
    return deny_unnamed(actor, relation, object.substr(0, colon),
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

bool actor_check(std::string_view relation, std::string_view object_type, int64_t id, MalformedKey malformed) {
  Engine& engine = Engine::get();
  engine.prepare();
  const ActiveActor& actor = active_actor();
  const ResolvedTarget& target = resolve_target(engine, relation, object_type);
  if (!actor.valid) {  // fail closed
    if (audit::recording())
      audit::note_decision(actor, target.relation_id, target.type_id, target.relation, target.type, id, false);
    return false;
  }
  AllowedSet& set = allowed_set_for(target.type_id, target.relation_id);
  if (set.built) {
    bool allowed = set.integer_ids.contains(id);
    if (audit::recording())
      audit::note_decision(actor, target.relation_id, target.type_id, target.relation, target.type, id,
                           allowed);
    return allowed;
  }
  // Before the allowed set exists: the object decided by its id's text,
  // with the engine, actor and names already in hand.
  char text[24];
  int length = snprintf(text, sizeof text, "%lld", static_cast<long long>(id));
  std::string_view digits(text, static_cast<size_t>(length));
  if (object_type.size() + 1 + digits.size() > core::kMaxObjectLength) {
    if (malformed == MalformedKey::Refuse) refuse_key(object_type, digits);
    return deny_unnamed(actor, target.relation_id, target.type_id, relation, object_type, digits);
  }
  return decide_and_record(actor, target.relation_id, target.type_id, relation, object_type, digits);
}

std::vector<std::string> actor_allowed_ids(std::string_view relation, std::string_view object_type) {
  Engine& engine = Engine::get();
  engine.prepare();
  const ActiveActor& actor = active_actor();
  core::Evaluator& evaluator = engine.evaluator();
  core::RequestResolver resolve = evaluator.resolver();
  core::TypeId type = resolve.type(object_type);
  core::RelationId rel = resolve.relation(type, relation);
  std::vector<std::string> ids;
  for (core::Symbol id : list_allowed(actor, evaluator, rel, type))
    ids.emplace_back(engine.interner().text(id));
  std::sort(ids.begin(), ids.end());
  if (audit::recording()) audit::note_listing(actor, relation, object_type, ids);
  return ids;
}

}  // namespace agentauthz::pg
