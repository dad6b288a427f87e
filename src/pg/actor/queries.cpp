#include "pg/actor/queries.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "core/integer_set.h"
#include "core/tuple_key.h"
#include "pg/actor/active_actor.h"
#include "pg/audit/audit.h"
#include "pg/catalog/catalog_rows.h"
#include "pg/common/guard.h"
#include "pg/engine/engine.h"
#include "pg/engine/scan_session.h"
#include "pg/engine/visible_state.h"

namespace agentauthz::pg {

namespace {

// After this many checks of one (relation, type) in a statement -- an RLS
// scan -- the actor's allowed set is computed once and each further row is
// a hash lookup.
constexpr uint32_t kChecksBeforeAllowedSet = 512;
// Listing an allowed set visits at most one node per this many bytes of
// agentauthz.engine_cache_size (what the walk holds, and the ids it
// interns); a larger set is not listed, and rows are checked one by one.
constexpr size_t kListingBytesPerNode = 96;

struct AllowedSet {
  core::TypeId type = -1;
  core::RelationId relation = -1;
  uint32_t checks = 0;  // in the current statement
  uint64 statement = 0;
  bool built = false;
  bool unusable = false;  // too large, or too deep to list
  core::IntegerSet ids;   // interned ids
  // The ids that are integers in canonical decimal form: an integer key
  // column is looked up without formatting or interning its value.
  core::IntegerSet integer_ids;
};

// The current actor's allowed sets, counted in the engine's memory. When
// the engine starts over, the ids go (they are interned ids) but what was
// learnt stays: a set found too large is not listed again.
class AllowedSets final : public SymbolHolder {
 public:
  size_t bytes() const override { return bytes_; }
  void drop() override {
    for (AllowedSet& set : sets_) {
      set.ids.clear();
      set.integer_ids.clear();
      set.built = false;
    }
    bytes_ = 0;
  }

  // Returns the set of (type, relation) for the current actor.
  AllowedSet& find(core::TypeId type, core::RelationId relation) {
    if (!attached_) {
      Engine::get().attach(this);
      attached_ = true;
    }
    if (epoch_ != active_actor_epoch()) {
      sets_.clear();
      bytes_ = 0;
      epoch_ = active_actor_epoch();
    }
    for (AllowedSet& set : sets_)
      if (set.type == type && set.relation == relation) return set;
    sets_.emplace_back();
    sets_.back().type = type;
    sets_.back().relation = relation;
    return sets_.back();
  }
  // Counts the sets' memory again after one was built or emptied.
  void recount() {
    bytes_ = 0;
    for (const AllowedSet& set : sets_) bytes_ += set.ids.bytes() + set.integer_ids.bytes();
  }

 private:
  std::vector<AllowedSet> sets_;
  uint64_t epoch_ = 0;
  size_t bytes_ = 0;
  bool attached_ = false;
};

AllowedSets allowed_sets;

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
    if (!evaluator.scope_allows(actor.scopes[i], static_cast<uint32_t>(actor.links[i].id), relation,
                                object))
      return false;
  return true;
}

// Lists the allowed objects: the subject's, then those every scope reaches.
// Returns false when that would visit more than `max_nodes` nodes.
bool list_allowed(const ActiveActor& actor, core::Evaluator& evaluator, core::RelationId relation,
                  core::TypeId type, std::vector<core::Symbol>* out, size_t max_nodes = SIZE_MAX) {
  std::vector<core::Symbol>& ids = *out;
  core::RequestResolver resolve = evaluator.resolver();
  core::Subject who;
  if (!actor.valid || !actor_subject(actor, resolve, &who)) return true;
  // Too deep is not allowed, as for a single check (actor_decides).
  if (!evaluator.list_objects(who, relation, &ids, core::Evaluator::BeyondDepth::Omit, max_nodes))
    return false;
  if (!actor.scopes.empty()) {
    ids.erase(
        std::remove_if(ids.begin(), ids.end(),
                       [&](core::Symbol id) {
                         return !within_scopes(actor, evaluator, relation, core::Object{type, id});
                       }),
        ids.end());
  }
  return true;
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

AllowedSet& allowed_set_for(core::TypeId type, core::RelationId relation) {
  return allowed_sets.find(type, relation);
}

// Lists the actor's allowed set into `set`; false when it is too large to
// keep within agentauthz.engine_cache_size.
bool build_allowed_set(const ActiveActor& actor, core::Evaluator& evaluator, AllowedSet* set) {
  Engine& engine = Engine::get();
  std::vector<core::Symbol> ids;
  if (!list_allowed(actor, evaluator, set->relation, set->type, &ids,
                    Engine::cache_limit() / kListingBytesPerNode))
    return false;
  const core::Interner& interner = engine.interner();
  std::vector<int64_t> symbols, numbers;
  symbols.reserve(ids.size());
  for (core::Symbol id : ids) {
    symbols.push_back(id);
    int64_t number = 0;
    if (parse_canonical_integer(interner.text(id), &number)) numbers.push_back(number);
  }
  set->ids.assign(symbols);
  set->integer_ids.assign(numbers);
  allowed_sets.recount();
  // The set (and the ids it interned) must fit with room for nothing else,
  // or the engine would start over -- and list it again -- at the next row.
  if (engine.cache_bytes() > Engine::cache_limit()) engine.clear_lookups();
  return engine.cache_bytes() <= Engine::cache_limit();
}

// Answers from the allowed set of (type, relation) when it is built,
// without interning `id`: an id not interned is in no set.
bool answer_from_built_set(const ActiveActor& actor, core::TypeId type, core::RelationId relation,
                           std::string_view id, bool* allowed) {
  if (!actor.valid) return false;
  AllowedSet& set = allowed_set_for(type, relation);
  if (!set.built) return false;
  core::Symbol symbol = 0;
  *allowed = Engine::get().interner().find(id, &symbol) && set.ids.contains(symbol);
  return true;
}

// Answers from the statement's allowed set once the same question has been
// asked often enough; returns false when the row must be checked itself.
bool answer_from_allowed_set(const ActiveActor& actor, core::Evaluator& evaluator,
                             core::RelationId relation, const core::Object& object, bool* allowed) {
  AllowedSet& set = allowed_set_for(object.type, relation);
  if (set.unusable) return false;
  if (!set.built) {
    // Counted per statement: a set kept across statements (see
    // pg/engine/visible_state.h) is built by a scan, never by a series of lookups.
    if (set.statement != scans_statement()) {
      set.statement = scans_statement();
      set.checks = 0;
    }
    if (++set.checks < kChecksBeforeAllowedSet) return false;
    bool built = false;
    try {
      built = build_allowed_set(actor, evaluator, &set);
    } catch (const core::Error& error) {
      if (error.kind() != core::ErrorKind::DepthExceeded) throw;
    }
    if (!built) {
      set.unusable = true;
      set.ids.clear();
      set.integer_ids.clear();
      allowed_sets.recount();
      return false;
    }
    set.built = true;
  }
  *allowed = set.ids.contains(object.id);
  return true;
}

}  // namespace

Decision actor_decides(const ActiveActor& actor, core::RelationId relation,
                       const core::Object& object) {
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
constexpr const char* kUnnamed =
    "the key names no object of a type the model defines, so it is never allowed";

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
  if (audit::recording()) {
    if (decision == Decision::TooDeep)
      audit::note_refusal(actor, relation, type, relation_name, type_name, id, kTooDeep);
    else
      audit::note_decision(actor, relation, type, relation_name, type_name, id,
                           decision == Decision::Allowed);
  }
  return decision == Decision::Allowed;
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
  char text[24];
  int length = snprintf(text, sizeof text, "%lld", static_cast<long long>(id));
  return actor_check_new_object(relation, object_type,
                                std::string_view(text, static_cast<size_t>(length)));
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
  if (set.built) {
    bool allowed = set.integer_ids.contains(id);
    if (audit::recording())
      audit::note_decision(actor, target.relation_id, target.type_id, target.relation, target.type,
                           id, allowed);
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
  return decide_and_record(actor, target.relation_id, target.type_id, relation, object_type,
                           digits);
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
  std::vector<core::Symbol> symbols;
  list_allowed(actor, evaluator, rel, type, &symbols);
  std::vector<std::string> ids;
  ids.reserve(symbols.size());
  for (core::Symbol id : symbols) ids.emplace_back(engine.interner().text(id));
  std::sort(ids.begin(), ids.end());
  if (audit::recording()) audit::note_listing(actor, relation, object_type, ids);
  return ids;
}

}  // namespace agentauthz::pg
