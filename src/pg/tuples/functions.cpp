// SQL entry points that change what is stored: models and tuples, and the
// triggers that validate every row written to agentauthz.tuples however it
// arrives (write_tuple, INSERT, COPY).
#include <optional>
#include <string>

#include "core/error.h"
#include "core/model.h"
#include "core/tuple_key.h"
#include "core/tuple_validation.h"
#include "pg/catalog/relations.h"
#include "pg/common/guard.h"
#include "pg/common/jsonb_text.h"
#include "pg/common/privileged.h"
#include "pg/common/sql_args.h"
#include "pg/engine/engine.h"
#include "pg/engine/writer_marks.h"
#include "pg/tuples/tuple_columns.h"

namespace agentauthz::pg {

namespace {

// Plans kept for the life of the backend (kept_plan).
SPIPlanPtr insert_model_plan = nullptr;
SPIPlanPtr upsert_tuple_plan = nullptr;
SPIPlanPtr upsert_plain_tuple_plan = nullptr;
SPIPlanPtr delete_tuple_plan = nullptr;

// Stores a validated model with the owner's rights (admins may not insert
// into agentauthz.models themselves: an unvalidated model would become the
// active one); created_by names the caller.
int64 insert_model(std::string_view dsl) {
  SqlScope scope(Rights::Owner);
  int64 id = 0;
  with_spi([&] {
    Oid types[2] = {TEXTOID, NAMEOID};
    SPIPlanPtr plan = kept_plan(
        &insert_model_plan,
        "INSERT INTO agentauthz.models (dsl, created_by) VALUES ($1, $2) RETURNING id", 2, types);
    NameData creator;
    namestrcpy(&creator, GetUserNameFromId(scope.caller(), false));
    Datum values[2] = {text_datum(dsl), NameGetDatum(&creator)};
    // No row limit: a RETURNING statement stopped at one row never fires
    // its AFTER STATEMENT triggers (note_write).
    int rc = SPI_execute_plan(plan, values, nullptr, false, 0);
    if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
      elog(ERROR, "could not store the model: %s", SPI_result_code_string(rc));
    bool isnull;
    id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
  });
  return id;
}

int64 run_write_model(std::string_view dsl) {
  // Parse, validate and compile before storing: a model that cannot be
  // evaluated never becomes active.
  core::Model::from_dsl(dsl);
  return insert_model(dsl);
}

void validate_with_active_model(std::string_view object, std::string_view relation,
                                std::string_view subject, const core::ConditionInput& condition) {
  Engine& engine = Engine::get();
  engine.prepare();
  core::validate_tuple(engine.model(), object, relation, subject, condition);
}

// A tuple's condition as SQL passes it: a name and a jsonb context, each
// possibly NULL.
struct ConditionArgs {
  std::optional<std::string_view> name;
  Jsonb* context = nullptr;
};

// Validates a tuple and its condition; the context is read as its text.
void validate_tuple_args(std::string_view object, std::string_view relation,
                         std::string_view subject, const ConditionArgs& args) {
  core::ConditionInput condition;
  condition.name = args.name;
  std::string context;
  if (args.context != nullptr) {
    context = jsonb_value_text(args.context);
    condition.context = context;
  }
  validate_with_active_model(object, relation, subject, condition);
}

// The upsert of write_tuple: a tuple stored with another expiry or
// condition takes the new ones (the same key holds one condition, as in
// OpenFGA); an identical one is left alone. Parameters: object, relation,
// subject, expires_at, condition_name, condition_context.
constexpr const char* kUpsertTuple =
    "INSERT INTO agentauthz.tuples AS t "
    "(object, relation, subject, expires_at, condition_name, condition_context) "
    "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (object, relation, subject) DO UPDATE "
    "SET expires_at = EXCLUDED.expires_at, condition_name = EXCLUDED.condition_name, "
    "    condition_context = EXCLUDED.condition_context "
    "WHERE NOT (CASE WHEN t.expires_at IS NULL THEN EXCLUDED.expires_at IS NULL "
    "                WHEN EXCLUDED.expires_at IS NULL THEN false "
    "                ELSE t.expires_at OPERATOR(pg_catalog.=) EXCLUDED.expires_at END "
    "       AND CASE WHEN t.condition_name IS NULL THEN EXCLUDED.condition_name IS NULL "
    "                WHEN EXCLUDED.condition_name IS NULL THEN false "
    "                ELSE t.condition_name OPERATOR(pg_catalog.=) EXCLUDED.condition_name END "
    "       AND CASE WHEN t.condition_context IS NULL THEN EXCLUDED.condition_context IS NULL "
    "                WHEN EXCLUDED.condition_context IS NULL THEN false "
    "                ELSE t.condition_context OPERATOR(pg_catalog.=) EXCLUDED.condition_context "
    "           END)";

// The same for an installation not yet updated to 0.5, whose table has no
// condition columns (its write_tuple takes four arguments).
constexpr const char* kUpsertPlainTuple =
    "INSERT INTO agentauthz.tuples AS t (object, relation, subject, expires_at) "
    "VALUES ($1, $2, $3, $4) ON CONFLICT (object, relation, subject) DO UPDATE "
    "SET expires_at = EXCLUDED.expires_at "
    "WHERE CASE WHEN t.expires_at IS NULL THEN EXCLUDED.expires_at IS NOT NULL "
    "           WHEN EXCLUDED.expires_at IS NULL THEN true "
    "           ELSE t.expires_at OPERATOR(pg_catalog.<>) EXCLUDED.expires_at END";

// Writes a validated tuple with the owner's rights: applications may insert
// into agentauthz.tuples themselves (bulk loads), not update or delete.
void upsert_tuple(std::string_view object, std::string_view relation, std::string_view subject,
                  Datum expires_at, bool expires_null, const ConditionArgs& condition,
                  bool plain_table) {
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[6] = {TEXTOID, TEXTOID, TEXTOID, TIMESTAMPTZOID, TEXTOID, JSONBOID};
    int nargs = plain_table ? 4 : 6;
    SPIPlanPtr plan = plain_table
                          ? kept_plan(&upsert_plain_tuple_plan, kUpsertPlainTuple, nargs, types)
                          : kept_plan(&upsert_tuple_plan, kUpsertTuple, nargs, types);
    Datum values[6] = {text_datum(object),
                       text_datum(relation),
                       text_datum(subject),
                       expires_at,
                       condition.name ? text_datum(*condition.name) : (Datum)0,
                       PointerGetDatum(condition.context)};
    char nulls[6] = {' ',
                     ' ',
                     ' ',
                     expires_null ? 'n' : ' ',
                     condition.name ? ' ' : 'n',
                     condition.context ? ' ' : 'n'};
    int rc = SPI_execute_plan(plan, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT)
      elog(ERROR, "could not write the tuple: %s", SPI_result_code_string(rc));
  });
}

void run_write_tuple(std::string_view object, std::string_view relation, std::string_view subject,
                     Datum expires_at, bool expires_null, const ConditionArgs& condition,
                     bool plain_table) {
  validate_tuple_args(object, relation, subject, condition);
  upsert_tuple(object, relation, subject, expires_at, expires_null, condition, plain_table);
}

// Deletes one tuple; false when it was not stored.
bool run_delete_tuple(std::string_view object, std::string_view relation,
                      std::string_view subject) {
  // Only the format is checked: a tuple the active model no longer allows
  // must still be deletable.
  core::parse_object(object);
  core::check_relation_name(relation);
  core::parse_subject(subject);
  bool deleted = false;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[3] = {TEXTOID, TEXTOID, TEXTOID};
    SPIPlanPtr plan = kept_plan(
        &delete_tuple_plan,
        "DELETE FROM agentauthz.tuples t WHERE t.object OPERATOR(pg_catalog.=) $1 "
        "AND t.relation OPERATOR(pg_catalog.=) $2 AND t.subject OPERATOR(pg_catalog.=) $3",
        3, types);
    Datum values[3] = {text_datum(object), text_datum(relation), text_datum(subject)};
    int rc = SPI_execute_plan(plan, values, nullptr, false, 0);
    if (rc != SPI_OK_DELETE)
      elog(ERROR, "could not delete the tuple: %s", SPI_result_code_string(rc));
    deleted = SPI_processed > 0;
  });
  return deleted;
}

std::string_view attribute_text(HeapTuple tuple, TupleDesc desc, int attno, bool* isnull) {
  Datum value = heap_getattr(tuple, attno, desc, isnull);
  if (*isnull) return {};
  text* t = DatumGetTextPP(value);
  return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// Reads a row's condition (a table from 0.5 on).
ConditionArgs row_condition(HeapTuple row, TupleDesc desc) {
  ConditionArgs condition;
  bool null_name;
  bool null_context;
  std::string_view name = attribute_text(row, desc, kConditionNameAttr, &null_name);
  if (!null_name) condition.name = name;
  Datum context = heap_getattr(row, kConditionContextAttr, desc, &null_context);
  if (!null_context) condition.context = DatumGetJsonbP(context);
  return condition;
}

}  // namespace

}  // namespace agentauthz::pg

using agentauthz::pg::text_arg;

AGENTAUTHZ_SQL_FUNCTION(agentauthz_write_model) {
  std::string_view dsl = text_arg(fcinfo, 0);
  PG_RETURN_INT64(agentauthz::pg::run_write_model(dsl));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_write_tuple) {
  if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
    ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
                    errmsg("object, relation and subject must not be null")));
  std::string_view object = text_arg(fcinfo, 0);
  std::string_view relation = text_arg(fcinfo, 1);
  std::string_view subject = text_arg(fcinfo, 2);
  bool expires_null = PG_NARGS() < 4 || PG_ARGISNULL(3);
  Datum expires_at = expires_null ? (Datum)0 : PG_GETARG_DATUM(3);
  agentauthz::pg::ConditionArgs condition;
  if (PG_NARGS() >= 5 && !PG_ARGISNULL(4)) condition.name = text_arg(fcinfo, 4);
  if (PG_NARGS() >= 6 && !PG_ARGISNULL(5)) condition.context = PG_GETARG_JSONB_P(5);
  // Before 0.5 write_tuple took four arguments, and the table had no
  // condition columns.
  bool plain_table = PG_NARGS() < 5;
  agentauthz::pg::run_write_tuple(object, relation, subject, expires_at, expires_null, condition,
                                  plain_table);
  PG_RETURN_VOID();
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_delete_tuple) {
  std::string_view object = text_arg(fcinfo, 0);
  std::string_view relation = text_arg(fcinfo, 1);
  std::string_view subject = text_arg(fcinfo, 2);
  PG_RETURN_BOOL(agentauthz::pg::run_delete_tuple(object, relation, subject));
}

namespace agentauthz::pg {
namespace {

enum class TriggerTable { Tuples, ActorTables };

// The trigger's data, once it is known to fire on the table it was made
// for: attached to another table (by whoever could), it refuses to run.
TriggerData* trigger_on(FunctionCallInfo fcinfo, const char* name, TriggerTable table) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("%s must be called as a trigger", name)));
  auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
  Oid relid = RelationGetRelid(trigger->tg_relation);
  const Catalog& cat = catalog();
  bool expected = table == TriggerTable::Tuples ? relid == cat.tuples
                                                : relid == cat.agents || relid == cat.delegations;
  if (!expected)
    ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
                    errmsg("%s fires only on the agentauthz tables it was made for, not on \"%s\"",
                           name, RelationGetRelationName(trigger->tg_relation))));
  return trigger;
}

}  // namespace
}  // namespace agentauthz::pg

// Validates each row written to agentauthz.tuples, with its condition
// (BEFORE INSERT OR UPDATE FOR EACH ROW).
AGENTAUTHZ_SQL_FUNCTION(agentauthz_tuples_validate) {
  using agentauthz::pg::attribute_text;
  TriggerData* trigger =
      agentauthz::pg::trigger_on(fcinfo, "tuples_validate", agentauthz::pg::TriggerTable::Tuples);
  HeapTuple row =
      TRIGGER_FIRED_BY_UPDATE(trigger->tg_event) ? trigger->tg_newtuple : trigger->tg_trigtuple;
  TupleDesc desc = RelationGetDescr(trigger->tg_relation);
  bool conditions = agentauthz::pg::check_tuple_columns(trigger->tg_relation);
  bool null_object;
  bool null_relation;
  bool null_subject;
  std::string_view object = attribute_text(row, desc, agentauthz::pg::kObjectAttr, &null_object);
  std::string_view relation =
      attribute_text(row, desc, agentauthz::pg::kRelationAttr, &null_relation);
  std::string_view subject = attribute_text(row, desc, agentauthz::pg::kSubjectAttr, &null_subject);
  agentauthz::pg::ConditionArgs condition;
  if (conditions) condition = agentauthz::pg::row_condition(row, desc);
  // NULLs are left to the NOT NULL constraints, which report them precisely.
  if (!null_object && !null_relation && !null_subject)
    agentauthz::pg::validate_tuple_args(object, relation, subject, condition);
  return PointerGetDatum(row);
}

// AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE FOR EACH STATEMENT on
// agentauthz.tuples: marks the writer (as note_write does, for databases
// still at 0.5, which lack it). Other backends learn of the write from the
// mark when the writer commits -- no relcache invalidation, which would
// make every one of them rebuild the table's entry and start over even
// under a REPEATABLE READ snapshot that cannot see the write.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_tuples_changed) {
  agentauthz::pg::trigger_on(fcinfo, "tuples_changed", agentauthz::pg::TriggerTable::Tuples);
  agentauthz::pg::writer_marks::mark_current_transaction();
  return PointerGetDatum(nullptr);
}

// AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE FOR EACH STATEMENT on
// agentauthz.agents and agentauthz.delegations: every backend decides its
// actor afresh at its next statement after the commit (pg/actor/active_actor.h).
AGENTAUTHZ_SQL_FUNCTION(agentauthz_actors_changed) {
  TriggerData* trigger = agentauthz::pg::trigger_on(fcinfo, "actors_changed",
                                                    agentauthz::pg::TriggerTable::ActorTables);
  CacheInvalidateRelcacheByRelid(RelationGetRelid(trigger->tg_relation));
  return PointerGetDatum(nullptr);
}
