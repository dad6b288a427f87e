// What protect() and sync_tuples() record, and the triggers sync_tuples()
// installs. The plpgsql functions of agentauthz--*.sql make the policies
// and triggers as their caller (who must own the table); these functions
// write the records with the extension owner's rights, and the triggers
// write tuples with them -- each only for a table its caller owns, and
// only what a registration says.
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tuple_key.h"
#include "pg/actor/active_actor.h"
#include "pg/actor/agent_roles.h"
#include "pg/catalog/catalog_rows.h"
#include "pg/common/guard.h"
#include "pg/common/privileged.h"
#include "pg/common/sql_args.h"
#include "pg/engine/engine.h"

extern "C" {
#include "catalog/pg_class.h"
#include "utils/syscache.h"
}

namespace agentauthz::pg {

namespace {

SPIPlanPtr read_sync_plan = nullptr;
SPIPlanPtr delete_tuple_plan = nullptr;
SPIPlanPtr insert_tuple_plan = nullptr;
SPIPlanPtr truncate_plain_plan = nullptr;
SPIPlanPtr truncate_userset_plan = nullptr;
SPIPlanPtr parent_checked_plan = nullptr;
uint64 registrations_written = 0;  // by this backend: cached registrations are stale

// Refuses unless the caller is an admin who owns (has the privileges of
// the owner of) `relid`.
void require_admin_owning(Oid relid, const char* function) {
  require_admin(function, "Only members of agentauthz_admin may protect tables or sync tuples.");
  bool owner = false;
  NameData name;
  pg_guard([&] {
    HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
    if (!HeapTupleIsValid(tuple))
      ereport(ERROR, (errcode(ERRCODE_UNDEFINED_TABLE),
                      errmsg("relation with OID %u does not exist", relid)));
    auto* form = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
    owner = has_privs_of_role(GetUserId(), form->relowner);
    name = form->relname;  // copied before the cache entry is released
    ReleaseSysCache(tuple);
  });
  if (!owner)
    throw core::Error(
        core::ErrorKind::Forbidden, std::string("must be owner of table ") + NameStr(name),
        std::string(function) + " changes what the table's policies or triggers rely on.");
}

// The column types whose values name objects without calling anything a
// user can define: integers, uuid, text and varchar, or domains over them.
bool supported_key_type(Oid type) {
  Oid base = getBaseType(type);
  return base == INT2OID || base == INT4OID || base == INT8OID || base == UUIDOID ||
         base == TEXTOID || base == VARCHAROID;
}

// The attribute number of `column` in `desc`, its type checked; raises an
// ERROR when it is missing or of another type.
AttrNumber key_column(TupleDesc desc, const char* table, const char* column) {
  for (int i = 0; i < desc->natts; ++i) {
    Form_pg_attribute attribute = TupleDescAttr(desc, i);
    if (attribute->attisdropped || strcmp(NameStr(attribute->attname), column) != 0) continue;
    if (!supported_key_type(attribute->atttypid))
      ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                      errmsg("column \"%s\" of %s has type %s, which sync_tuples does not support",
                             column, table, format_type_be(attribute->atttypid)),
                      errhint("Use an integer, bigint, uuid or text column.")));
    return attribute->attnum;
  }
  ereport(ERROR, (errcode(ERRCODE_UNDEFINED_COLUMN),
                  errmsg("column \"%s\" of %s does not exist", column, table)));
  return InvalidAttrNumber;
}

// A sync_tuples() registration as agentauthz.synced_columns holds it.
struct SyncRegistration {
  std::string object_type, id_column, relation, subject_type, subject_column, subject_relation;
};

// Appends the text of a key column's value as the object or subject id:
// integers in decimal, uuids as uuid_out spells them, text as it is. No
// output function or cast is called.
void append_key(Datum value, Oid type, std::string* out) {
  switch (getBaseType(type)) {
    case INT2OID:
      out->append(std::to_string(DatumGetInt16(value)));
      return;
    case INT4OID:
      out->append(std::to_string(DatumGetInt32(value)));
      return;
    case INT8OID:
      out->append(std::to_string(DatumGetInt64(value)));
      return;
    case UUIDOID: {
      char spelled[36];
      out->append(uuid_text(DatumGetUUIDP(value), spelled));
      return;
    }
    default: {
      text* t = DatumGetTextPP(value);
      out->append(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
    }
  }
}

}  // namespace

}  // namespace agentauthz::pg

using agentauthz::pg::text_arg;

// _record_protection(tbl, object_type, id_column, strategy, policies,
// enabled_rls, forced_rls, parent_column): protect()'s record of what it
// made (parent_column may be NULL).
AGENTAUTHZ_SQL_FUNCTION(agentauthz_record_protection) {
  using namespace agentauthz::pg;
  require_arguments(fcinfo, {"tbl", "object_type", "id_column", "strategy", "policies",
                             "enabled_rls", "forced_rls"});
  // parent_column (the 8th) may be NULL.
  Oid relid = PG_GETARG_OID(0);
  require_admin_owning(relid, "_record_protection");
  std::string agent_owner = agent_holding_owner_rights(relid);
  if (!agent_owner.empty())
    throw agentauthz::core::Error(
        agentauthz::core::ErrorKind::Forbidden,
        "the table's owner rights are held by the agent role " + agent_owner,
        "Row-level security does not hold a table's owner (FORCE included: the owner may turn it "
        "off); "
        "give the table to a role no agent is a member of.");
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[9] = {REGCLASSOID, TEXTOID, NAMEOID, TEXTOID, NAMEARRAYOID,
                    BOOLOID,     BOOLOID, NAMEOID, NAMEOID};
    NameData by;
    namestrcpy(&by, GetUserNameFromId(scope.caller(), false));
    Datum values[9] = {
        PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2),
        PG_GETARG_DATUM(3), PG_GETARG_DATUM(4), PG_GETARG_DATUM(5),
        PG_GETARG_DATUM(6), NameGetDatum(&by),  PG_ARGISNULL(7) ? (Datum)0 : PG_GETARG_DATUM(7)};
    char nulls[9] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', PG_ARGISNULL(7) ? 'n' : ' '};
    int rc = SPI_execute_with_args(
        "INSERT INTO agentauthz.protected_tables AS p "
        "(tbl, object_type, id_column, strategy, policies, enabled_rls, forced_rls, protected_by, "
        "parent_column) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
        "ON CONFLICT ON CONSTRAINT protected_tables_pkey DO UPDATE "
        "SET object_type = EXCLUDED.object_type, id_column = EXCLUDED.id_column, strategy = "
        "EXCLUDED.strategy, "
        "policies = EXCLUDED.policies, enabled_rls = EXCLUDED.enabled_rls, forced_rls = "
        "EXCLUDED.forced_rls, "
        "protected_at = pg_catalog.now(), protected_by = EXCLUDED.protected_by, "
        "parent_column = EXCLUDED.parent_column",
        9, types, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT)
      elog(ERROR, "could not record the protection: %s", SPI_result_code_string(rc));
  });
  PG_RETURN_VOID();
}

// _forget_protection(tbl): unprotect()'s removal of that record.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_forget_protection) {
  using namespace agentauthz::pg;
  require_arguments(fcinfo, {"tbl"});
  Oid relid = PG_GETARG_OID(0);
  require_admin_owning(relid, "_forget_protection");
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[1] = {REGCLASSOID};
    Datum values[1] = {ObjectIdGetDatum(relid)};
    int rc = SPI_execute_with_args(
        "DELETE FROM agentauthz.protected_tables p WHERE p.tbl OPERATOR(pg_catalog.=) $1", 1, types,
        values, nullptr, false, 0);
    if (rc != SPI_OK_DELETE)
      elog(ERROR, "could not forget the protection: %s", SPI_result_code_string(rc));
  });
  PG_RETURN_VOID();
}

// _record_sync(tbl, object_type, id_column, relation, subject_type,
// subject_column, subject_relation, trigger_name): sync_tuples()'s record,
// which its triggers check every time they fire.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_record_sync) {
  using namespace agentauthz::pg;
  require_arguments(
      fcinfo, {"tbl", "object_type", "id_column", "relation", "subject_type", "subject_column"});
  Oid relid = PG_GETARG_OID(0);
  require_admin_owning(relid, "sync_tuples");
  if (PG_ARGISNULL(7))
    throw agentauthz::core::Error(agentauthz::core::ErrorKind::InvalidArgument,
                                  "argument \"trigger_name\" must not be null");
  // Both columns exist and hold keys the triggers can spell safely.
  pg_guard([&] {
    Relation rel = table_open(relid, AccessShareLock);
    const char* table = RelationGetRelationName(rel);
    key_column(RelationGetDescr(rel), table, NameStr(*PG_GETARG_NAME(2)));
    key_column(RelationGetDescr(rel), table, NameStr(*PG_GETARG_NAME(5)));
    table_close(rel, AccessShareLock);
  });
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[8] = {REGCLASSOID, TEXTOID, NAMEOID, TEXTOID, TEXTOID, NAMEOID, TEXTOID, NAMEOID};
    Datum values[8];
    char nulls[8];
    for (int i = 0; i < 8; ++i) {
      values[i] = PG_ARGISNULL(i) ? (Datum)0 : PG_GETARG_DATUM(i);
      nulls[i] = PG_ARGISNULL(i) ? 'n' : ' ';
    }
    int rc = SPI_execute_with_args(
        "INSERT INTO agentauthz.synced_columns AS s VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
        "ON CONFLICT ON CONSTRAINT synced_columns_pkey DO UPDATE "
        "SET object_type = EXCLUDED.object_type, id_column = EXCLUDED.id_column, "
        "subject_type = EXCLUDED.subject_type, subject_relation = EXCLUDED.subject_relation, "
        "trigger_name = EXCLUDED.trigger_name",
        8, types, values, nulls, false, 0);
    if (rc != SPI_OK_INSERT)
      elog(ERROR, "could not record the sync: %s", SPI_result_code_string(rc));
  });
  ++registrations_written;
  PG_RETURN_VOID();
}

// _forget_sync(tbl, relation, subject_column): unsync_tuples()'s removal;
// returns the trigger name the registration had, or NULL.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_forget_sync) {
  using namespace agentauthz::pg;
  require_arguments(fcinfo, {"tbl", "relation", "subject_column"});
  Oid relid = PG_GETARG_OID(0);
  require_admin_owning(relid, "unsync_tuples");
  Datum result = 0;
  bool found = false;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[3] = {REGCLASSOID, TEXTOID, NAMEOID};
    Datum values[3] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1), PG_GETARG_DATUM(2)};
    int rc = SPI_execute_with_args(
        "DELETE FROM agentauthz.synced_columns s WHERE s.tbl OPERATOR(pg_catalog.=) $1 "
        "AND s.relation OPERATOR(pg_catalog.=) $2 AND s.subject_column OPERATOR(pg_catalog.=) $3 "
        "RETURNING s.trigger_name::pg_catalog.text",
        3, types, values, nullptr, false, 0);
    if (rc != SPI_OK_DELETE_RETURNING)
      elog(ERROR, "could not forget the sync: %s", SPI_result_code_string(rc));
    if (SPI_processed > 0) {
      bool isnull;
      Datum name = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
      found = !isnull;
      if (found) result = SPI_datumTransfer(name, false, -1);
    }
  });
  ++registrations_written;
  if (!found) PG_RETURN_NULL();
  return result;
}

namespace agentauthz::pg {

namespace {

// The registration `trigger` fires for, read with the owner's rights and
// kept for the rest of the transaction. The registration is found by the
// key the trigger's arguments name (relation, subject_column); the trigger
// must carry the name it recorded and exactly its arguments. Raises an
// ERROR otherwise: the trigger function writes tuples with the owner's
// rights, so it acts only as sync_tuples() set it up.
SyncRegistration registration_for(TriggerData* trigger, bool truncate) {
  static Oid cached_trigger = InvalidOid;
  static LocalTransactionId cached_transaction = InvalidLocalTransactionId;
  static uint64 cached_generation = 0;
  static SyncRegistration cached;
  const Trigger* t = trigger->tg_trigger;
  if (!truncate && t->tgoid == cached_trigger && MyProc->lxid == cached_transaction &&
      registrations_written == cached_generation)
    return cached;
  cached_trigger = InvalidOid;
  Oid relid = RelationGetRelid(trigger->tg_relation);
  std::string table;
  pg_guard([&] { table = RelationGetRelationName(trigger->tg_relation); });
  std::vector<std::string> arguments;
  arguments.reserve(t->tgnargs);
  for (int i = 0; i < t->tgnargs; ++i) arguments.emplace_back(t->tgargs[i]);
  std::vector<std::string> row;
  std::string registered_name;
  if (arguments.size() == 6) {
    SqlScope scope(Rights::Owner);
    with_spi([&] {
      Oid types[4] = {REGCLASSOID, TEXTOID, TEXTOID, BOOLOID};
      // The row trigger has the registered name; the truncate trigger that
      // name followed by _truncate (cut to 63 bytes).
      SPIPlanPtr plan = kept_plan(
          &read_sync_plan,
          "SELECT s.object_type, s.id_column::pg_catalog.text, s.relation, s.subject_type, "
          "s.subject_column::pg_catalog.text, s.subject_relation, "
          "CASE WHEN $4 THEN pg_catalog.left(s.trigger_name::pg_catalog.text "
          "OPERATOR(pg_catalog.||) '_truncate', 63) ELSE s.trigger_name::pg_catalog.text END "
          "FROM agentauthz.synced_columns s WHERE s.tbl OPERATOR(pg_catalog.=) $1 "
          "AND s.relation OPERATOR(pg_catalog.=) $2 "
          "AND s.subject_column::pg_catalog.text OPERATOR(pg_catalog.=) $3",
          4, types);
      Datum values[4] = {ObjectIdGetDatum(relid), CStringGetTextDatum(t->tgargs[2]),
                         CStringGetTextDatum(t->tgargs[4]), BoolGetDatum(truncate)};
      int rc = SPI_execute_plan(plan, values, nullptr, true, 1);
      if (rc != SPI_OK_SELECT)
        elog(ERROR, "could not read the sync registration: %s", SPI_result_code_string(rc));
      if (SPI_processed == 1) {
        for (int column = 1; column <= 6; ++column) {
          char* value = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, column);
          row.emplace_back(value ? value : "");
        }
        char* name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 7);
        registered_name = name ? name : "";
      }
    });
  }
  if (row.empty())
    throw core::Error(core::ErrorKind::Forbidden,
                      "trigger \"" + std::string(t->tgname) + "\" on " + table +
                          " is not a sync_tuples() trigger",
                      "agentauthz._sync_row and _sync_truncate write tuples only for what "
                      "sync_tuples() registered.");
  if (arguments != row || registered_name != t->tgname)
    throw core::Error(
        core::ErrorKind::Forbidden,
        "trigger \"" + std::string(t->tgname) + "\" on " + table +
            " does not match its sync_tuples() registration",
        "Drop it, and run sync_tuples() again to make the registration's triggers anew.");
  cached = SyncRegistration{row[0], row[1], row[2], row[3], row[4], row[5]};
  if (truncate) return cached;
  cached_trigger = t->tgoid;
  cached_transaction = MyProc->lxid;
  cached_generation = registrations_written;
  return cached;
}

// The tuple a row implies, or false when either column is NULL. Each value
// must be a plain id: `*` (a wildcard), `#relation` (a userset) or `:`
// would make the tuple something the registration does not say.
bool tuple_of_row(const SyncRegistration& sync, Relation rel, HeapTuple row, std::string* object,
                  std::string* subject) {
  bool present = false;
  std::string table;
  pg_guard([&] {
    TupleDesc desc = RelationGetDescr(rel);
    table = RelationGetRelationName(rel);
    AttrNumber id = key_column(desc, table.c_str(), sync.id_column.c_str());
    AttrNumber subject_column = key_column(desc, table.c_str(), sync.subject_column.c_str());
    bool id_null;
    bool subject_null;
    Datum id_value = heap_getattr(row, id, desc, &id_null);
    Datum subject_value = heap_getattr(row, subject_column, desc, &subject_null);
    if (id_null || subject_null) return;
    object->assign(sync.object_type).push_back(':');
    append_key(id_value, TupleDescAttr(desc, id - 1)->atttypid, object);
    subject->assign(sync.subject_type).push_back(':');
    append_key(subject_value, TupleDescAttr(desc, subject_column - 1)->atttypid, subject);
    present = true;
  });
  if (!present) return false;
  core::ObjectKey key;
  for (const std::string* spelled : {object, subject})
    if (!core::try_parse_object(*spelled, &key))
      throw core::Error(
          core::ErrorKind::InvalidArgument,
          "a row of " + table + " implies " + core::quote_for_message(*spelled) +
              ", which is not a plain object or subject",
          "Synced columns hold ids: 1 or more bytes without whitespace, control characters, ':' "
          "or '#', not '*'; type:id is at most 256 bytes.");
  if (!sync.subject_relation.empty()) subject->append("#").append(sync.subject_relation);
  return true;
}

// Deletes (or inserts) one tuple with the owner's rights.
void write_synced_tuple(bool insert, const std::string& object, const std::string& relation,
                        const std::string& subject) {
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[3] = {TEXTOID, TEXTOID, TEXTOID};
    SPIPlanPtr plan =
        insert
            ? kept_plan(
                  &insert_tuple_plan,
                  "INSERT INTO agentauthz.tuples (object, relation, subject) VALUES ($1, $2, $3) "
                  "ON CONFLICT (object, relation, subject) DO NOTHING",
                  3, types)
            : kept_plan(&delete_tuple_plan,
                        "DELETE FROM agentauthz.tuples t WHERE t.object OPERATOR(pg_catalog.=) $1 "
                        "AND t.relation OPERATOR(pg_catalog.=) $2 AND t.subject "
                        "OPERATOR(pg_catalog.=) $3",
                        3, types);
    Datum values[3] = {text_datum(object), text_datum(relation), text_datum(subject)};
    int rc = SPI_execute_plan(plan, values, nullptr, false, 0);
    if (rc != (insert ? SPI_OK_INSERT : SPI_OK_DELETE))
      elog(ERROR, "could not write a synced tuple: %s", SPI_result_code_string(rc));
  });
}

// Whether protect() checks moves of `sync`'s objects between subjects: the
// synced column is the table's protected parent column, for the same
// objects (then WITH CHECK takes the relations a move needs).
bool moves_checked(Oid relid, const SyncRegistration& sync) {
  bool checked = false;
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    Oid types[4] = {REGCLASSOID, TEXTOID, TEXTOID, TEXTOID};
    SPIPlanPtr plan = kept_plan(
        &parent_checked_plan,
        "SELECT true FROM agentauthz.protected_tables p WHERE p.tbl OPERATOR(pg_catalog.=) $1 "
        "AND p.object_type OPERATOR(pg_catalog.=) $2 "
        "AND p.id_column::pg_catalog.text OPERATOR(pg_catalog.=) $3 "
        "AND p.parent_column::pg_catalog.text OPERATOR(pg_catalog.=) $4",
        4, types);
    Datum values[4] = {ObjectIdGetDatum(relid), text_datum(sync.object_type),
                       text_datum(sync.id_column), text_datum(sync.subject_column)};
    int rc = SPI_execute_plan(plan, values, nullptr, true, 1);
    if (rc != SPI_OK_SELECT)
      elog(ERROR, "could not read the protection record: %s", SPI_result_code_string(rc));
    checked = SPI_processed > 0;
  });
  return checked;
}

// An agent's row write creates the tuples of a new object, and moves an
// object between parents protect() checks; it must not change -- add or
// take away -- who relates to an object that already exists through any
// other synced column (an owner, a blocked user): that would be a tuple
// write, which agents may not do, and could widen its principal's rights.
// Whether the object exists is judged on the latest committed tuples.
// Raises 42501 then. (Deleting the row is the delete relation's right.)
void check_agent_tuple_write(Relation rel, const SyncRegistration& sync, bool had_old, bool has_new,
                             const std::string& old_object, const std::string& new_object,
                             const std::string& new_subject) {
  if (!session_acts_for_agent()) return;
  // The object whose relations change: the new row's, or the old one's
  // when the column was cleared.
  const std::string& object = has_new ? new_object : old_object;
  bool existing = had_old && old_object == object;  // the row's own tuple names it
  if (!existing) pg_guard([&] { existing = latest_tuples_name(object); });
  if (!existing || moves_checked(RelationGetRelid(rel), sync)) return;
  std::string table;
  pg_guard([&] { table = RelationGetRelationName(rel); });
  std::string change = has_new ? "store the tuple " + object + "#" + sync.relation + "@" +
                                     new_subject + " for an object that already exists"
                               : "delete the object's " + sync.relation + " tuple";
  throw core::Error(
      core::ErrorKind::Forbidden,
      "an agent may not change who relates to " + object + " through " + table + "." +
          sync.subject_column,
      "The write would " + change +
          ". An agent's row writes create the tuples of new objects, and move objects only between "
          "parents protect() checks (parent_column).");
}

TriggerData* sync_trigger(FunctionCallInfo fcinfo, bool truncate) {
  if (!CALLED_AS_TRIGGER(fcinfo))
    throw core::Error(core::ErrorKind::InvalidArgument, "sync triggers must be called as triggers");
  auto* trigger = reinterpret_cast<TriggerData*>(fcinfo->context);
  bool shape = TRIGGER_FIRED_AFTER(trigger->tg_event) &&
               (truncate ? TRIGGER_FIRED_BY_TRUNCATE(trigger->tg_event)
                         : TRIGGER_FIRED_FOR_ROW(trigger->tg_event) &&
                               !TRIGGER_FIRED_BY_TRUNCATE(trigger->tg_event));
  if (!shape)
    throw core::Error(core::ErrorKind::Forbidden,
                      "a sync trigger fires AFTER each row, or AFTER TRUNCATE");
  return trigger;
}

}  // namespace

}  // namespace agentauthz::pg

// AFTER INSERT OR UPDATE OR DELETE FOR EACH ROW on a table sync_tuples()
// registered: keeps the tuple the row implies.
AGENTAUTHZ_SQL_FUNCTION(agentauthz_sync_row) {
  using namespace agentauthz::pg;
  TriggerData* trigger = sync_trigger(fcinfo, false);
  SyncRegistration sync = registration_for(trigger, false);
  std::string old_object;
  std::string old_subject;
  std::string new_object;
  std::string new_subject;
  bool had_old = false;
  bool has_new = false;
  TriggerEvent event = trigger->tg_event;
  if (TRIGGER_FIRED_BY_UPDATE(event) || TRIGGER_FIRED_BY_DELETE(event))
    had_old =
        tuple_of_row(sync, trigger->tg_relation, trigger->tg_trigtuple, &old_object, &old_subject);
  if (TRIGGER_FIRED_BY_UPDATE(event))
    has_new =
        tuple_of_row(sync, trigger->tg_relation, trigger->tg_newtuple, &new_object, &new_subject);
  else if (TRIGGER_FIRED_BY_INSERT(event))
    has_new =
        tuple_of_row(sync, trigger->tg_relation, trigger->tg_trigtuple, &new_object, &new_subject);
  if (had_old == has_new && old_object == new_object && old_subject == new_subject)
    return PointerGetDatum(nullptr);
  // A row that stays (an update) and changes its tuple; a delete takes the
  // object's tuples with it, which is the delete relation's right.
  if (TRIGGER_FIRED_BY_UPDATE(event) || TRIGGER_FIRED_BY_INSERT(event))
    check_agent_tuple_write(trigger->tg_relation, sync, had_old, has_new, old_object, new_object,
                            new_subject);
  if (had_old) write_synced_tuple(false, old_object, sync.relation, old_subject);
  if (has_new) write_synced_tuple(true, new_object, sync.relation, new_subject);
  return PointerGetDatum(nullptr);
}

// AFTER TRUNCATE on a table sync_tuples() registered: deletes every tuple
// of the registered (object type, relation, subject type[#relation]).
AGENTAUTHZ_SQL_FUNCTION(agentauthz_sync_truncate) {
  using namespace agentauthz::pg;
  TriggerData* trigger = sync_trigger(fcinfo, true);
  SyncRegistration sync = registration_for(trigger, true);
  SqlScope scope(Rights::Owner);
  with_spi([&] {
    bool userset = !sync.subject_relation.empty();
    Oid types[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
    // The objects and subjects of one type are the ranges [type:, type;).
    SPIPlanPtr plan =
        userset
            ? kept_plan(
                  &truncate_userset_plan,
                  "DELETE FROM agentauthz.tuples t WHERE t.object OPERATOR(pg_catalog.>=) $1 "
                  "AND t.object OPERATOR(pg_catalog.<) $2 AND t.relation OPERATOR(pg_catalog.=) $3 "
                  "AND t.subject OPERATOR(pg_catalog.>=) $4 AND t.subject OPERATOR(pg_catalog.<) "
                  "$5 "
                  "AND pg_catalog.right(t.subject, pg_catalog.length($6)) OPERATOR(pg_catalog.=) "
                  "$6",
                  6, types)
            : kept_plan(
                  &truncate_plain_plan,
                  "DELETE FROM agentauthz.tuples t WHERE t.object OPERATOR(pg_catalog.>=) $1 "
                  "AND t.object OPERATOR(pg_catalog.<) $2 AND t.relation OPERATOR(pg_catalog.=) $3 "
                  "AND t.subject OPERATOR(pg_catalog.>=) $4 AND t.subject OPERATOR(pg_catalog.<) "
                  "$5 "
                  "AND pg_catalog.strpos(t.subject, '#') OPERATOR(pg_catalog.=) 0",
                  5, types);
    Datum values[6] = {
        text_datum(sync.object_type + ":"),  text_datum(sync.object_type + ";"),
        text_datum(sync.relation),           text_datum(sync.subject_type + ":"),
        text_datum(sync.subject_type + ";"), text_datum("#" + sync.subject_relation)};
    int rc = SPI_execute_plan(plan, values, nullptr, false, 0);
    if (rc != SPI_OK_DELETE)
      elog(ERROR, "could not delete the synced tuples: %s", SPI_result_code_string(rc));
  });
  return PointerGetDatum(nullptr);
}
