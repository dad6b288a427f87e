// The per-backend evaluation state: the active model (compiled once per
// model version), the interner, the lookup cache and the evaluator. Every
// SQL entry point calls Engine::get().prepare() first, which brings all of
// it in line with the active snapshot: the caches are kept while snapshots
// see the same data (pg/engine/visible_state.h) and dropped otherwise. It also keeps
// them within agentauthz.engine_cache_size: a call that finds them above
// it starts them over, also in the middle of a statement.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/caching_reader.h"
#include "core/evaluator.h"
#include "core/interner.h"
#include "core/model.h"
#include "pg/engine/pg_reader.h"
#include "pg/engine/shared_reader.h"

namespace agentauthz::pg {

// State kept outside the engine in terms of its interned ids (the actor's
// allowed sets): counted in the engine's memory, and dropped when the
// engine starts over, as the ids it holds are void then.
class SymbolHolder {
 public:
  virtual size_t bytes() const = 0;
  virtual void drop() = 0;

 protected:
  ~SymbolHolder() = default;
};

class Engine {
 public:
  static Engine& get();

  // Aligns scans, model and caches with the current snapshot; throws
  // core::Error(NotReady) when no model has been written.
  void prepare();
  // Like prepare, but returns nullptr instead of throwing when no model exists.
  const core::Model* prepare_if_model();

  core::Evaluator& evaluator() { return *evaluator_; }
  const core::Model& model() const { return *model_; }
  std::shared_ptr<const core::Model> model_ptr() const { return model_; }
  int64_t model_id() const { return model_id_; }
  core::Interner& interner() { return interner_; }
  core::TupleReader& reader() { return cache_; }
  static core::EvalOptions options();

  // Forgets compiled models and caches (the extension was dropped).
  void reset();

  // Empties the lookup cache and the evaluator's caches, keeping interned
  // ids (and what holds them). Between checks only.
  void clear_lookups();
  // Counts `holder` in the engine's memory from now on (once per holder).
  void attach(SymbolHolder* holder) { holders_.push_back(holder); }
  // The memory the caches hold: lookups, interned ids, the evaluator's
  // caches and the holders'.
  size_t cache_bytes() const;
  // The most the caches may hold (agentauthz.engine_cache_size).
  static size_t cache_limit();

 private:
  Engine() : shared_(store_), cache_(shared_) {}
  bool refresh_model();
  // Drops every cache and interned id (and the holders' state); the model
  // and evaluator stay. Between calls only: nothing may hold a symbol.
  void start_over();
  std::shared_ptr<const core::Model> compiled(uint32_t models_relid, int64_t id,
                                              std::string_view dsl);

  PgTupleReader store_;
  SharedReader shared_;
  core::CachingReader cache_;
  core::Interner interner_;
  std::shared_ptr<const core::Model> model_;
  int64_t model_id_ = -1;
  uint32_t models_relid_ = 0;
  int max_depth_ = -1;
  size_t cache_limit_ = 0;    // the limit evaluator_ was made with
  int calls_unmeasured_ = 0;  // since cache_bytes() was last compared with the limit
  std::unique_ptr<core::Evaluator> evaluator_;
  std::vector<SymbolHolder*> holders_;
  // Recently compiled models by (models table, id); a model is compiled once.
  std::list<std::pair<std::pair<uint32_t, int64_t>, std::shared_ptr<const core::Model>>> compiled_;
};

}  // namespace agentauthz::pg
