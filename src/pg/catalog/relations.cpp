#include "pg/catalog/relations.h"

#include <string>
#include <utility>

extern "C" {
#include "catalog/pg_extension.h"
#include "catalog/pg_inherits.h"
#include "catalog/pg_language.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_trigger.h"
#include "commands/trigger.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
}

namespace agentauthz::pg {

namespace {

Catalog cached;
bool cached_valid = false;
uint64 generation = 1;
uint64 actor_gen = 1;

Oid lookup_relation(const char* name, Oid schema) {
  Oid relid = get_relname_relid(name, schema);
  if (!OidIsValid(relid))
    ereport(ERROR,
            (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
             errmsg("agentauthz relation \"%s\" is missing", name),
             errhint("Run CREATE EXTENSION agentauthz or ALTER EXTENSION agentauthz UPDATE.")));
  return relid;
}

// agentauthz.note_write() when it is still the library's C function (a
// superuser could replace it with one that marks nothing), else InvalidOid.
Oid lookup_note_write(Oid schema) {
  oidvector* no_arguments = buildoidvector(nullptr, 0);
  Oid function = GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum("note_write"),
                                 PointerGetDatum(no_arguments), ObjectIdGetDatum(schema));
  pfree(no_arguments);
  if (!OidIsValid(function)) return InvalidOid;
  HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
  if (!HeapTupleIsValid(tuple)) return InvalidOid;
  bool is_c = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple))->prolang == ClanguageId;
  bool isnull = true;
  Datum source = SysCacheGetAttr(PROCOID, tuple, Anum_pg_proc_prosrc, &isnull);
  bool ours = is_c && !isnull && strcmp(TextDatumGetCString(source), "agentauthz_note_write") == 0;
  ReleaseSysCache(tuple);
  return ours ? function : InvalidOid;
}

// Whether `relid` has the trigger `name` calling `function` as `type`
// says, unconditionally (no WHEN, no UPDATE OF), firing always (ENABLE
// ALWAYS).
bool fires_always(Oid relid, const std::string& name, Oid function, int16 type) {
  Relation rel = table_open(TriggerRelationId, AccessShareLock);
  ScanKeyData keys[2];
  ScanKeyInit(&keys[0], Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ,
              ObjectIdGetDatum(relid));
  ScanKeyInit(&keys[1], Anum_pg_trigger_tgname, BTEqualStrategyNumber, F_NAMEEQ,
              CStringGetDatum(name.c_str()));
  SysScanDesc scan = systable_beginscan(rel, TriggerRelidNameIndexId, true, nullptr, 2, keys);
  HeapTuple tuple = systable_getnext(scan);
  bool always = false;
  if (HeapTupleIsValid(tuple)) {
    auto* form = reinterpret_cast<Form_pg_trigger>(GETSTRUCT(tuple));
    // The table's own trigger, not a clone of a parent's (whose parent
    // can replace it without naming the table).
    // Every UPDATE, not only of some columns (UPDATE OF leaves tgattr non-empty).
    always = form->tgenabled == TRIGGER_FIRES_ALWAYS && form->tgfoid == function &&
             form->tgtype == type && !OidIsValid(form->tgparentid) && form->tgattr.dim1 == 0 &&
             heap_attisnull(tuple, Anum_pg_trigger_tgqual, RelationGetDescr(rel));
  }
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
  return always;
}

// Whether no BEFORE ROW trigger on `relid` fires after the one named
// `marking` (triggers fire in name order): one that did could change a row
// after it was noted (pg/engine/key_versions.h).
bool marks_final_rows(Oid relid, const char* marking) {
  Relation rel = table_open(TriggerRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_trigger_tgrelid, BTEqualStrategyNumber, F_OIDEQ,
              ObjectIdGetDatum(relid));
  SysScanDesc scan = systable_beginscan(rel, TriggerRelidNameIndexId, true, nullptr, 1, &key);
  bool last = true;
  for (HeapTuple tuple = systable_getnext(scan); last && HeapTupleIsValid(tuple);
       tuple = systable_getnext(scan)) {
    auto* form = reinterpret_cast<Form_pg_trigger>(GETSTRUCT(tuple));
    last = !(TRIGGER_FOR_ROW(form->tgtype) && TRIGGER_FOR_BEFORE(form->tgtype) &&
             form->tgenabled != TRIGGER_DISABLED && strcmp(NameStr(form->tgname), marking) > 0);
  }
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
  return last;
}

// Whether every writer of the engine's tables marks itself: each table's
// note_write triggers (0.6) are there as made and fire always. A database
// still at 0.5 (the library updated, not yet the extension) has none; a
// superuser may have disabled, replaced or qualified one, replaced the
// function, or put a table under a parent. Changing a trigger invalidates its table, changing a
// function the catalog (proc_callback), so this is looked up again.
bool lookup_writes_marked(const Catalog& found) {
  Oid function = lookup_note_write(found.schema);
  if (!OidIsValid(function)) return false;
  constexpr int16 kEachRow = TRIGGER_TYPE_ROW | TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_INSERT |
                             TRIGGER_TYPE_UPDATE | TRIGGER_TYPE_DELETE;
  constexpr int16 kTruncate = TRIGGER_TYPE_BEFORE | TRIGGER_TYPE_TRUNCATE;
  const std::pair<Oid, const char*> tables[] = {{found.tuples, "tuples"},
                                                {found.models, "models"},
                                                {found.agents, "agents"},
                                                {found.delegations, "delegations"},
                                                {found.protected_tables, "protected_tables"},
                                                {found.synced_columns, "synced_columns"}};
  for (const auto& [relid, name] : tables) {
    // A table under a parent (a partition, an inheritance child) is changed
    // by DDL on the parent, which names another table.
    if (get_rel_relispartition(relid) || has_superclass(relid)) return false;
    if (!fires_always(relid, std::string(name) + "_written", function, kEachRow) ||
        !fires_always(relid, std::string(name) + "_emptied", function, kTruncate))
      return false;
  }
  return marks_final_rows(found.tuples, "tuples_written");
}

// The owner of the installed extension: whose rights privileged code
// runs with (see pg/common/privileged.h).
Oid lookup_extension_owner() {
  Relation rel = table_open(ExtensionRelationId, AccessShareLock);
  ScanKeyData key;
  ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
              CStringGetDatum("agentauthz"));
  SysScanDesc scan = systable_beginscan(rel, ExtensionNameIndexId, true, nullptr, 1, &key);
  HeapTuple tuple = systable_getnext(scan);
  Oid owner = HeapTupleIsValid(tuple)
                  ? reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extowner
                  : InvalidOid;
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
  if (!OidIsValid(owner))
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("extension \"agentauthz\" is not installed in this database"),
                    errhint("Run CREATE EXTENSION agentauthz.")));
  return owner;
}

// Forgets the catalog when any of its relations (or every relation) is
// invalidated. Agents and delegations change only what an actor is, not
// what tuples or models are visible. Must not allocate, read catalogs or
// raise errors.
void relcache_callback(Datum, Oid relid) {
  bool everything = relid == InvalidOid || !cached_valid;
  if (everything || relid == cached.agents || relid == cached.agents_pkey ||
      relid == cached.delegations || relid == cached.delegations_pkey) {
    actor_gen++;
    cached_valid = false;
  }
  if (everything || relid == cached.tuples || relid == cached.models ||
      relid == cached.tuples_pkey || relid == cached.tuples_subject ||
      relid == cached.tuples_usersets || relid == cached.models_pkey ||
      relid == cached.protected_tables || relid == cached.synced_columns) {
    generation++;
    cached_valid = false;
  }
}

// Any function changed (CREATE OR REPLACE sends no relcache invalidation):
// note_write may no longer be the library's, so writes_marked is looked up
// again. What is cached stays: a replaced function marks no later write,
// and the lookup sees that before any. Must not allocate, read catalogs or
// raise errors.
void proc_callback(Datum, int, uint32) { cached_valid = false; }

}  // namespace

// Returns the extension's relation and index oids, looked up once until the catalog changes.
const Catalog& catalog() {
  if (cached_valid) return cached;
  Catalog found;
  found.schema = get_namespace_oid("agentauthz", true);
  if (!OidIsValid(found.schema))
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("extension \"agentauthz\" is not installed in this database"),
                    errhint("Run CREATE EXTENSION agentauthz.")));
  found.tuples = lookup_relation("tuples", found.schema);
  found.tuples_pkey = lookup_relation("tuples_pkey", found.schema);
  found.tuples_subject = lookup_relation("tuples_subject_idx", found.schema);
  found.tuples_usersets = lookup_relation("tuples_usersets_idx", found.schema);
  found.models = lookup_relation("models", found.schema);
  found.models_pkey = lookup_relation("models_pkey", found.schema);
  found.agents = lookup_relation("agents", found.schema);
  found.agents_pkey = lookup_relation("agents_pkey", found.schema);
  found.delegations = lookup_relation("delegations", found.schema);
  found.delegations_pkey = lookup_relation("delegations_pkey", found.schema);
  found.extension_owner = lookup_extension_owner();
  found.protected_tables = lookup_relation("protected_tables", found.schema);
  found.synced_columns = lookup_relation("synced_columns", found.schema);
  found.writes_marked = lookup_writes_marked(found);
  found.generation = generation;
  cached = found;
  cached_valid = true;
  return cached;
}

void check_columns(Relation rel, const char* const* names, int count) {
  TupleDesc desc = RelationGetDescr(rel);
  for (int i = 0; i < count; ++i) {
    if (desc->natts <= i || strcmp(NameStr(TupleDescAttr(desc, i)->attname), names[i]) != 0)
      ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                      errmsg("agentauthz table \"%s\" does not have the expected columns",
                             RelationGetRelationName(rel)),
                      errhint("Reinstall the extension.")));
  }
}

uint64 catalog_generation() { return generation; }
uint64 actor_tables_generation() { return actor_gen; }

void register_catalog_callbacks() {
  CacheRegisterRelcacheCallback(relcache_callback, (Datum)0);
  CacheRegisterSyscacheCallback(PROCOID, proc_callback, (Datum)0);
}

}  // namespace agentauthz::pg
