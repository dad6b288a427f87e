#include "pg/engine/engine.h"

#include "core/error.h"
#include "pg/catalog/model_rows.h"
#include "pg/catalog/relations.h"
#include "pg/common/guard.h"
#include "pg/engine/scan_session.h"
#include "pg/engine/visible_state.h"
#include "pg/settings.h"

namespace agentauthz::pg {

namespace {

constexpr size_t kCompiledModelsKept = 4;
// Of agentauthz.engine_cache_size, the caches carry at most this share from
// one statement into the next (an idle backend's share), and each of the
// lookup cache and the evaluator's caches starts over above this share.
constexpr size_t kKeptShare = 4;
constexpr size_t kEachCacheShare = 4;
// Within a statement, the caches' memory is summed every this many calls
// (each call adds little: the evaluator's caches bound themselves).
constexpr int kCallsPerMeasure = 8;

// Polled by the evaluator: a pending cancel or termination, or a stack
// about to overflow, stops evaluation so the error can be raised safely.
bool evaluation_interrupted() {
  return QueryCancelPending || ProcDiePending || stack_is_too_deep();
}

}  // namespace

Engine& Engine::get() {
  static Engine engine;
  return engine;
}

size_t Engine::cache_limit() { return static_cast<size_t>(engine_cache_mb_setting) << 20; }

core::EvalOptions Engine::options() {
  core::EvalOptions options;
  options.max_depth = max_depth_setting;
  options.max_cache_bytes = cache_limit() / kEachCacheShare;
  options.interrupted = evaluation_interrupted;
  return options;
}

size_t Engine::cache_bytes() const {
  size_t bytes = cache_.bytes() + interner_.bytes() + (evaluator_ ? evaluator_->bytes() : 0);
  for (const SymbolHolder* holder : holders_) bytes += holder->bytes();
  return bytes;
}

void Engine::clear_lookups() {
  cache_.clear();
  if (evaluator_) evaluator_->clear_memo();
}

void Engine::start_over() {
  clear_lookups();
  interner_.clear();
  for (SymbolHolder* holder : holders_) holder->drop();
}

void Engine::reset() {
  evaluator_.reset();
  model_.reset();
  model_id_ = -1;
  compiled_.clear();
  start_over();
}

std::shared_ptr<const core::Model> Engine::compiled(uint32_t models_relid, int64_t id,
                                                    std::string_view dsl) {
  auto key = std::make_pair(models_relid, id);
  for (auto it = compiled_.begin(); it != compiled_.end(); ++it) {
    if (it->first == key) {
      compiled_.splice(compiled_.begin(), compiled_, it);
      return it->second;
    }
  }
  std::shared_ptr<const core::Model> model = core::Model::from_dsl(dsl);
  compiled_.emplace_front(key, model);
  if (compiled_.size() > kCompiledModelsKept) compiled_.pop_back();
  return model;
}

// Loads the newest visible model; returns false when there is none.
bool Engine::refresh_model() {
  int64 id = 0;
  const char* dsl = nullptr;
  int length = 0;
  bool found = false;
  Oid relid = InvalidOid;
  pg_guard([&] {
    found = read_newest_model(&id, &dsl, &length);
    relid = catalog().models;
  });
  if (!found) {
    model_.reset();
    evaluator_.reset();
    model_id_ = -1;
    return false;
  }
  if (!model_ || !evaluator_ || id != model_id_ || relid != models_relid_ ||
      max_depth_ != max_depth_setting || cache_limit_ != cache_limit()) {
    model_ = compiled(relid, id, std::string_view(dsl, static_cast<size_t>(length)));
    model_id_ = id;
    models_relid_ = relid;
    max_depth_ = max_depth_setting;
    cache_limit_ = cache_limit();
    cache_.set_max_bytes(cache_limit_ / kEachCacheShare);
    evaluator_ = std::make_unique<core::Evaluator>(model_, cache_, interner_, options());
  }
  return true;
}

// Readies the engine for this statement's view and returns the active model, or null.
const core::Model* Engine::prepare_if_model() {
  bool view_changed = false;
  uint64 statement = scans_statement();
  if (!scans_current()) pg_guard([&] { view_changed = scans_prepare(); });
  size_t limit = cache_limit();
  bool carried_too_much = false;
  if (!view_changed && statement != scans_statement()) {
    // Kept across statements, the caches must not grow without bound: they
    // start over, while what holds for the view (the actor, its integer
    // allowed sets) stays.
    carried_too_much = cache_bytes() > limit / kKeptShare;
    if (!carried_too_much && evaluator_) evaluator_->clear_results();
  }
  if (view_changed || carried_too_much || !evaluator_ || max_depth_ != max_depth_setting ||
      cache_limit_ != limit) {
    // What was cached may no longer be what is visible.
    cache_.clear();
    if (evaluator_) evaluator_->clear_memo();
    // Interned ids stay valid, but not too many of them.
    if (cache_bytes() > limit / kKeptShare) start_over();
    if (!refresh_model()) return nullptr;
    evaluator_->clear_memo();
  } else if (++calls_unmeasured_ >= kCallsPerMeasure) {
    // However many objects one statement touches (a scan of millions of
    // rows, each a new id), the caches start over rather than grow.
    // Measured every few calls: summing them costs as much as a row.
    calls_unmeasured_ = 0;
    if (cache_bytes() > limit) start_over();
  }
  return model_.get();
}

void Engine::prepare() {
  if (prepare_if_model() == nullptr)
    throw core::Error(core::ErrorKind::NotReady, "no authorization model has been written",
                      "call agentauthz.write_model() first");
}

}  // namespace agentauthz::pg
