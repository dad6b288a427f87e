#include "pg/actor/actor_context_values.h"

#include <optional>
#include <string>

#include "core/cel/time_util.h"
#include "pg/actor/actor_condition_values.h"
#include "pg/actor/row_context.h"
#include "pg/common/guard.h"
#include "pg/engine/scan_session.h"

namespace agentauthz::pg {

namespace {

constexpr const char* kCurrentTime = "current_time";

// Whether some condition of the model declares `current_time: timestamp`.
bool declares_current_time(const core::Model& model) {
  for (size_t i = 0; i < model.condition_count(); ++i)
    for (const core::cel::Parameter& parameter :
         model.condition(static_cast<core::ConditionId>(i)).parameters)
      if (parameter.name == kCurrentTime && parameter.type.kind == core::cel::Kind::Timestamp)
        return true;
  return false;
}

// The statement's start as an RFC 3339 string, as a context gives a timestamp.
core::json::Value statement_start() {
  TimestampTz start = 0;
  pg_guard([&] { start = GetCurrentStatementStartTimestamp(); });
  // TimestampTz counts microseconds from 2000-01-01 UTC.
  constexpr int64_t kUnixToPostgresSeconds = 946684800;
  int64_t seconds = start / 1000000;
  int64_t micros = start % 1000000;
  if (micros < 0) {
    micros += 1000000;
    seconds -= 1;
  }
  return core::json::Value::string(core::cel::format_timestamp(
      seconds + kUnixToPostgresSeconds, static_cast<int32_t>(micros * 1000)));
}

// The actor's sources merged, kept for one statement of one actor.
struct BaseContext {
  std::string pinned;  // the text of the trusted sources' merged values
  uint64_t statement = 0;
  const core::Model* model = nullptr;
  bool current_time = false;  // the model declares it
  std::optional<core::ContextMerger> sources;
  std::optional<core::ConditionContext> context;  // sources plus current_time
};

BaseContext bases[2];  // without, with the values agent-issued links pin

// Returns the base context of the actor, computed once per statement.
BaseContext& base_for(const ActiveActor& actor, const core::Model& model, bool with_agent_links) {
  BaseContext& base = bases[with_agent_links ? 1 : 0];
  const core::ConditionContext& pinned = actor_condition_context(actor, with_agent_links);
  if (base.sources && base.pinned == pinned.text() && base.statement == scans_statement() &&
      base.model == &model)
    return base;
  base.sources.reset();
  base.context.reset();
  core::ContextMerger merger;
  add_actor_condition_values(actor, &merger, with_agent_links);
  base.current_time = declares_current_time(model);
  core::ContextMerger complete = merger;
  if (base.current_time && !complete.has(kCurrentTime))
    complete.add("the statement's start", kCurrentTime, statement_start());
  base.context = complete.result();
  base.sources = std::move(merger);
  base.pinned = pinned.text();
  base.statement = scans_statement();
  base.model = &model;
  return base;
}

const core::ConditionContext& empty_context() {
  static const core::ConditionContext empty;
  return empty;
}

}  // namespace

const core::ConditionContext* actor_base_context(const ActiveActor& actor,
                                                 const core::Model& model) {
  if (!model.has_conditions()) return nullptr;
  return &*base_for(actor, model, false).context;
}

void use_actor_context(const ActiveActor& actor, core::Evaluator& evaluator, bool with_agent_links,
                       bool with_row) {
  const core::Model& model = evaluator.model();
  if (!model.has_conditions()) {
    evaluator.set_context(empty_context());
    return;
  }
  BaseContext& known = base_for(actor, model, with_agent_links);
  const core::json::Value* row = with_row ? current_row_values() : nullptr;
  if (row == nullptr) {
    evaluator.set_context(*known.context);
    return;
  }
  core::ContextMerger merger = *known.sources;
  merger.add("the row", *row);
  if (known.current_time && !merger.has(kCurrentTime))
    merger.add("the statement's start", kCurrentTime, statement_start());
  evaluator.set_context(merger.result());
}

}  // namespace agentauthz::pg
