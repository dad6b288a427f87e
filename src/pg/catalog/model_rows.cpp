#include "pg/catalog/model_rows.h"

#include "pg/catalog/relations.h"
#include "pg/engine/scan_session.h"

namespace agentauthz::pg {

namespace {

// Column numbers, fixed by agentauthz--*.sql and checked when the scan opens.
constexpr AttrNumber kModelIdAttr = 1;
constexpr AttrNumber kModelDslAttr = 2;

// The models table, its primary key and a scan over it, opened on the
// session's first model read.
struct ModelScan {
  bool open = false;
  Relation models = nullptr;
  Relation pkey = nullptr;
  IndexScanDesc newest = nullptr;  // pkey, no keys: read backwards
  TupleTableSlot* slot = nullptr;
};

ModelScan scan;

// Ends the scan and closes what is open; tolerates a partly opened set.
void release_model_scan() {
  if (scan.slot) ExecDropSingleTupleTableSlot(scan.slot);
  if (scan.newest) index_endscan(scan.newest);
  if (scan.pkey) index_close(scan.pkey, NoLock);
  if (scan.models) table_close(scan.models, NoLock);
  scan = ModelScan();
}

void forget_model_scan() { scan = ModelScan(); }

const ScanReader model_reader = {release_model_scan, forget_model_scan};

// Opens the table, its key and the scan for the current session.
void ensure_open() {
  if (scan.open) return;
  static bool registered = false;
  if (!registered) {
    register_scan_reader(&model_reader);
    registered = true;
  }
  scans_open([] {
    const Catalog& cat = catalog();
    scan.models = table_open(cat.models, AccessShareLock);
    scan.pkey = index_open(cat.models_pkey, AccessShareLock);
    static const char* const model_columns[] = {"id", "dsl"};
    check_columns(scan.models, model_columns, 2);
    scan.newest = index_beginscan(scan.models, scan.pkey, scans_snapshot(), 0, 0);
    scan.slot = table_slot_create(scan.models, nullptr);
    scan.open = true;
  });
}

}  // namespace

bool read_newest_model(int64* id, const char** dsl, int* dsl_length) {
  return with_scans([&] {
    ensure_open();
    index_rescan(scan.newest, nullptr, 0, nullptr, 0);
    if (!index_getnext_slot(scan.newest, BackwardScanDirection, scan.slot)) return false;
    bool isnull;
    *id = DatumGetInt64(slot_getattr(scan.slot, kModelIdAttr, &isnull));
    text* dsl_text = DatumGetTextPP(slot_getattr(scan.slot, kModelDslAttr, &isnull));
    *dsl = VARDATA_ANY(dsl_text);
    *dsl_length = static_cast<int>(VARSIZE_ANY_EXHDR(dsl_text));
    return true;
  });
}

}  // namespace agentauthz::pg
