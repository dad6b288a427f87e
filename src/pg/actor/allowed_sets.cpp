#include "pg/actor/allowed_sets.h"

#include <vector>

#include "core/error.h"
#include "pg/actor/actor_context_values.h"
#include "pg/actor/decision.h"
#include "pg/actor/row_context.h"
#include "pg/engine/engine.h"
#include "pg/engine/scan_session.h"

namespace agentauthz::pg {

namespace {

// After this many checks of one (relation, type) in a statement the
// actor's allowed set is computed once.
constexpr uint32_t kChecksBeforeAllowedSet = 512;
// Listing an allowed set visits at most one node per this many bytes of
// agentauthz.engine_cache_size (what the walk holds, and the ids it
// interns); a larger set is not listed, and rows are checked one by one.
constexpr size_t kListingBytesPerNode = 96;

// The current actor's allowed sets, counted in the engine's memory. When
// the engine starts over, the ids go (they are interned ids) but what was
// learnt stays: a set found too large is not listed again.
class AllowedSets final : public SymbolHolder {
 public:
  size_t bytes() const override { return bytes_; }
  void drop() override {
    for (AllowedSet& set : sets_) {
      // A set without named ids loses nothing.
      set.named_kept = set.named_kept && set.named_ids.size() == 0;
      set.named_ids.clear();
    }
    recount();
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
    for (const AllowedSet& set : sets_) bytes_ += set.named_ids.bytes() + set.integer_ids.bytes();
  }

 private:
  std::vector<AllowedSet> sets_;
  uint64_t epoch_ = 0;
  size_t bytes_ = 0;
  bool attached_ = false;
};

AllowedSets allowed_sets;

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

// Lists the actor's allowed set into `set`; false when it is too large to
// keep within agentauthz.engine_cache_size.
bool build_allowed_set(const ActiveActor& actor, core::Evaluator& evaluator, AllowedSet* set) {
  Engine& engine = Engine::get();
  core::Interner& interner = engine.interner();
  // Ids come once per path to them: counted (and held) once each.
  core::IntegerCollector numbers;
  core::IntegerCollector named;
  size_t most = Engine::cache_limit() / kListingBytesPerNode;
  auto add = [&](std::string_view id, core::Symbol symbol) {
    int64_t number = 0;
    if (parse_canonical_integer(id, &number))
      numbers.add(number);
    else
      named.add(symbol != 0 ? symbol : interner.intern(id));
  };
  auto interned = [&](core::Symbol id) { add(interner.text(id), id); };
  // Counted with repeats until twice the bound, then without: a sort per
  // `most` ids read at worst, not per id.
  auto read = [&](std::string_view id) {
    add(id, 0);
    if (numbers.size() + named.size() <= 2 * most) return true;
    numbers.compact();
    named.compact();
    return numbers.size() + named.size() <= most;
  };
  if (!list_allowed(actor, evaluator, set->relation, set->type,
                    core::Evaluator::ObjectSink{interned, read}, most) ||
      numbers.ids().size() + named.ids().size() > most)
    return false;
  set->integer_ids.assign(numbers.ids());
  set->named_ids.assign(named.ids());
  set->named_kept = true;
  allowed_sets.recount();
  // The set (and the ids it interned) must fit with room for nothing else,
  // or the engine would start over -- and list it again -- at the next row.
  if (engine.cache_bytes() > Engine::cache_limit()) engine.clear_lookups();
  return engine.cache_bytes() <= Engine::cache_limit();
}

// Answers for `id` (whose symbol is `*symbol` when known) from a built set;
// false when the set no longer holds what it would take (its named ids went
// with the engine's interned ids).
bool answer_from(const AllowedSet& set, std::string_view id, const core::Symbol* symbol,
                 bool* allowed) {
  int64_t number = 0;
  if (parse_canonical_integer(id, &number)) {
    *allowed = set.integer_ids.contains(number);
    return true;
  }
  if (!set.named_kept) return false;
  core::Symbol found = 0;
  if (symbol != nullptr)
    found = *symbol;
  else if (!Engine::get().interner().find(id, &found)) {
    *allowed = false;  // an id not interned is in no set
    return true;
  }
  *allowed = set.named_ids.contains(found);
  return true;
}

}  // namespace

AllowedSet& allowed_set_for(core::TypeId type, core::RelationId relation) {
  return allowed_sets.find(type, relation);
}

bool usable_in_context(const ActiveActor& actor, AllowedSet* set) {
  if (current_row_values() != nullptr || row_values_unreadable()) return false;
  const core::ConditionContext* context = actor_base_context(actor, Engine::get().model());
  const std::string& now = context ? context->text() : std::string();
  if (set->context == now) return true;
  if (set->built || set->unusable) {
    set->built = false;
    set->named_kept = false;
    set->unusable = false;
    set->named_ids.clear();
    set->integer_ids.clear();
    allowed_sets.recount();
  }
  set->context = now;
  return true;
}

bool answer_from_built_set(const ActiveActor& actor, core::TypeId type, core::RelationId relation,
                           std::string_view id, bool* allowed) {
  if (!actor.valid) return false;
  AllowedSet& set = allowed_set_for(type, relation);
  return usable_in_context(actor, &set) && set.built && answer_from(set, id, nullptr, allowed);
}

// Answers from the allowed set, building it once a statement has asked enough.
bool answer_from_allowed_set(const ActiveActor& actor, core::Evaluator& evaluator,
                             core::RelationId relation, const core::Object& object, bool* allowed) {
  AllowedSet& set = allowed_set_for(object.type, relation);
  if (!usable_in_context(actor, &set) || set.unusable) return false;
  std::string_view id = Engine::get().interner().text(object.id);
  if (set.built && answer_from(set, id, &object.id, allowed)) return true;
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
    if (error.kind() != core::ErrorKind::DepthExceeded &&
        error.kind() != core::ErrorKind::ConditionFailed)
      throw;
  }
  if (!built) {
    set.unusable = true;
    set.built = false;
    set.named_kept = false;
    set.named_ids.clear();
    set.integer_ids.clear();
    allowed_sets.recount();
    return false;
  }
  set.built = true;
  return answer_from(set, Engine::get().interner().text(object.id), &object.id, allowed);
}

}  // namespace agentauthz::pg
