// Settings stored for a database or role when the library is loaded late
// (not in shared_preload_libraries). Until it loads, agentauthz.* values
// are placeholders. A value the client gave at connection time
// (PGOPTIONS='-c agentauthz.audit=off') replaces the role's stored one in
// the placeholder; when the library then defines the setting, PostgreSQL
// refuses the client's value for a superuser-only setting and falls back
// to the built-in default -- the role's own level would be lost, and an
// agent could choose its audit level. The stored values are applied again
// here, each with its own source's priority, so that only a higher-priority
// value (a superuser's) can override them, exactly as at connection start.
#include "pg/guard.h"
#include "pg/settings.h"

extern "C" {
#include "access/parallel.h"
#include "catalog/pg_db_role_setting.h"
#include "utils/guc_tables.h"
}

namespace agentauthz::pg {

namespace {

constexpr char kPrefix[] = "agentauthz.";

// Applies the agentauthz.* entries of one pg_db_role_setting row.
void apply_row(Relation rel, Snapshot snapshot, Oid database, Oid role, GucSource source) {
  ScanKeyData keys[2];
  ScanKeyInit(&keys[0], Anum_pg_db_role_setting_setdatabase, BTEqualStrategyNumber, F_OIDEQ,
              ObjectIdGetDatum(database));
  ScanKeyInit(&keys[1], Anum_pg_db_role_setting_setrole, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(role));
  SysScanDesc scan = systable_beginscan(rel, DbRoleSettingDatidRolidIndexId, true, snapshot, 2, keys);
  HeapTuple tuple = systable_getnext(scan);
  if (HeapTupleIsValid(tuple)) {
    bool isnull;
    Datum config = heap_getattr(tuple, Anum_pg_db_role_setting_setconfig, RelationGetDescr(rel), &isnull);
    if (!isnull) {
      ArrayType* array = DatumGetArrayTypeP(config);
      Datum* items;
      bool* nulls;
      int count;
      deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &items, &nulls, &count);
      for (int i = 0; i < count; ++i) {
        if (nulls[i]) continue;
        char* item = TextDatumGetCString(items[i]);
        char* name = nullptr;
        char* value = nullptr;
        ParseLongOption(item, &name, &value);
        if (name != nullptr && value != nullptr && strncmp(name, kPrefix, sizeof kPrefix - 1) == 0)
          (void)set_config_option(name, value, PGC_SUSET, source, GUC_ACTION_SET, true, WARNING, false);
      }
    }
  }
  systable_endscan(scan);
}

void apply_all_rows() {
  Oid role = GetSessionUserId();
  Relation rel = table_open(DbRoleSettingRelationId, AccessShareLock);
  Snapshot snapshot = RegisterSnapshot(GetCatalogSnapshot(DbRoleSettingRelationId));
  // Lowest priority first, as process_settings() applies them.
  apply_row(rel, snapshot, InvalidOid, InvalidOid, PGC_S_GLOBAL);
  apply_row(rel, snapshot, MyDatabaseId, InvalidOid, PGC_S_DATABASE);
  apply_row(rel, snapshot, InvalidOid, role, PGC_S_USER);
  apply_row(rel, snapshot, MyDatabaseId, role, PGC_S_DATABASE_USER);
  UnregisterSnapshot(snapshot);
  table_close(rel, AccessShareLock);
}

}  // namespace

void apply_stored_settings() {
  // Only an ordinary backend connected to a database has stored values to
  // apply; parallel workers copy their leader's settings.
  if (!IsUnderPostmaster || !OidIsValid(MyDatabaseId) || !OidIsValid(GetSessionUserId()) ||
      IsParallelWorker() || InitializingParallelWorker || !IsNormalProcessingMode())
    return;
  if (IsTransactionState()) {
    apply_all_rows();
    return;
  }
  // Loaded outside a transaction (session_preload_libraries): a short one
  // of our own reads the catalog.
  StartTransactionCommand();
  apply_all_rows();
  CommitTransactionCommand();
}

}  // namespace agentauthz::pg
