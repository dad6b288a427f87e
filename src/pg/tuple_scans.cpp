#include "pg/tuple_scans.h"

#include <cstring>

#include "pg/catalog.h"

namespace agentauthz::pg {

namespace {

// Column numbers, fixed by agentauthz--*.sql and checked when scans open.
constexpr AttrNumber kObjectAttr = 1;
constexpr AttrNumber kRelationAttr = 2;
constexpr AttrNumber kSubjectAttr = 3;
constexpr AttrNumber kExpiresAttr = 4;
constexpr AttrNumber kModelIdAttr = 1;
constexpr AttrNumber kModelDslAttr = 2;

// A text datum built in place, so lookups allocate nothing.
struct KeyText {
  static constexpr size_t kCapacity = 1024;
  union {
    char bytes[VARHDRSZ + kCapacity];
    int32 align;
  };

  // Sets the text to the concatenation of up to three parts and separators;
  // returns false when it does not fit (such a key matches nothing).
  bool set(std::string_view a, char sep1 = 0, std::string_view b = {}, char sep2 = 0,
           std::string_view c = {}) {
    size_t length = a.size() + (sep1 ? 1 + b.size() : 0) + (sep2 ? 1 + c.size() : 0);
    if (length > kCapacity) return false;
    char* out = bytes + VARHDRSZ;
    std::memcpy(out, a.data(), a.size());
    out += a.size();
    if (sep1) {
      *out++ = sep1;
      std::memcpy(out, b.data(), b.size());
      out += b.size();
    }
    if (sep2) {
      *out++ = sep2;
      std::memcpy(out, c.data(), c.size());
    }
    SET_VARSIZE(bytes, VARHDRSZ + length);
    return true;
  }
  Datum datum() const { return PointerGetDatum(bytes); }
};

struct Scans {
  bool open = false;
  Stamp stamp;
  ResourceOwner owner = nullptr;
  Snapshot snapshot = nullptr;
  TimestampTz now = 0;
  Relation tuples = nullptr;
  Relation pkey = nullptr;
  Relation by_subject_index = nullptr;
  Relation usersets_index = nullptr;
  Relation models = nullptr;
  Relation models_pkey = nullptr;
  IndexScanDesc exact = nullptr;        // pkey, 3 keys
  IndexScanDesc by_object = nullptr;    // pkey, 2 keys
  IndexScanDesc usersets = nullptr;     // usersets index, 2 keys
  IndexScanDesc by_subject = nullptr;   // subject index, 4 keys
  IndexScanDesc newest_model = nullptr; // models pkey, no keys
  TupleTableSlot* tuple_slot = nullptr;
  TupleTableSlot* model_slot = nullptr;
};

Scans scans;
MemoryContext scan_context = nullptr;
KeyText key_object, key_relation, key_subject, key_low, key_high;

ExecutorEnd_hook_type prev_executor_end = nullptr;
ProcessUtility_hook_type prev_process_utility = nullptr;

std::string_view text_view(Datum datum) {
  text* t = DatumGetTextPP(datum);
  return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// Returns whether the tuple in the slot has not expired.
bool live(TupleTableSlot* slot) {
  bool isnull;
  Datum expires = slot_getattr(slot, kExpiresAttr, &isnull);
  return isnull || DatumGetTimestampTz(expires) > scans.now;
}

void init_key(ScanKeyData* key, AttrNumber attno, StrategyNumber strategy, RegProcedure proc,
              const KeyText& value) {
  ScanKeyInit(key, attno, strategy, proc, value.datum());
  key->sk_collation = C_COLLATION_OID;
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

void agentauthz_executor_end(QueryDesc* query) {
  scans_close();
  if (prev_executor_end)
    prev_executor_end(query);
  else
    standard_ExecutorEnd(query);
}

void agentauthz_process_utility(PlannedStmt* pstmt, const char* query_string, bool read_only_tree,
                                ProcessUtilityContext context, ParamListInfo params,
                                QueryEnvironment* query_env, DestReceiver* dest,
                                QueryCompletion* qc) {
  // Utility commands (TRUNCATE, DROP EXTENSION ...) refuse relations that
  // are still open in this session.
  scans_close();
  if (prev_process_utility)
    prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
  else
    standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest,
                            qc);
}

void xact_callback(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_PRE_COMMIT:
    case XACT_EVENT_PARALLEL_PRE_COMMIT:
    case XACT_EVENT_PRE_PREPARE:
      scans_close();
      break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
      scans_forget();
      break;
    default:
      break;
  }
}

void subxact_callback(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
  // Tuples written in the aborted subtransaction are no longer visible.
  if (event == SUBXACT_EVENT_ABORT_SUB) bump_tuples_generation();
}

// When the resource owner the scans were opened under is released, its
// buffer pins and relation references are already gone.
void resource_release_callback(ResourceReleasePhase phase, bool, bool, void*) {
  if (phase == RESOURCE_RELEASE_BEFORE_LOCKS && scans.open && CurrentResourceOwner == scans.owner)
    scans_forget();
}

}  // namespace

bool Stamp::operator==(const Stamp& o) const {
  if (lxid != o.lxid || xmin != o.xmin || xmax != o.xmax || curcid != o.curcid ||
      completions != o.completions || tuples_generation != o.tuples_generation ||
      catalog_generation != o.catalog_generation)
    return false;
  // Without a completion count two snapshots may differ in their in-progress
  // transactions: only the very same snapshot is known to be equal.
  return completions != 0 || snapshot == o.snapshot;
}

Stamp current_stamp() {
  Snapshot snapshot = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
  Stamp stamp;
  stamp.lxid = MyProc->lxid;
  stamp.xmin = snapshot->xmin;
  stamp.xmax = snapshot->xmax;
  stamp.completions = snapshot->snapXactCompletionCount;
  stamp.curcid = snapshot->curcid;
  stamp.snapshot = snapshot;
  stamp.tuples_generation = tuples_generation();
  stamp.catalog_generation = catalog_generation();
  return stamp;
}

const Stamp& scans_stamp() { return scans.stamp; }

bool scans_prepare() {
  Stamp stamp = current_stamp();
  if (scans.open && stamp == scans.stamp) return false;
  scans_close();

  const Catalog& cat = catalog();
  if (scan_context == nullptr)
    scan_context = AllocSetContextCreate(TopMemoryContext, "agentauthz scans", ALLOCSET_SMALL_SIZES);
  MemoryContext old = MemoryContextSwitchTo(scan_context);
  Snapshot active = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();

  Scans s;
  s.owner = CurrentResourceOwner;
  s.snapshot = RegisterSnapshot(active);
  s.now = GetCurrentTransactionStartTimestamp();
  s.tuples = table_open(cat.tuples, AccessShareLock);
  s.pkey = index_open(cat.tuples_pkey, AccessShareLock);
  s.by_subject_index = index_open(cat.tuples_subject, AccessShareLock);
  s.usersets_index = index_open(cat.tuples_usersets, AccessShareLock);
  s.models = table_open(cat.models, AccessShareLock);
  s.models_pkey = index_open(cat.models_pkey, AccessShareLock);
  // From here on a failure must still release what was opened: mark open.
  scans = s;
  scans.open = true;
  scans.stamp = stamp;

  static const char* const tuple_columns[] = {"object", "relation", "subject", "expires_at"};
  static const char* const model_columns[] = {"id", "dsl"};
  check_columns(scans.tuples, tuple_columns, 4);
  check_columns(scans.models, model_columns, 2);

  scans.exact = index_beginscan(scans.tuples, scans.pkey, scans.snapshot, 3, 0);
  scans.by_object = index_beginscan(scans.tuples, scans.pkey, scans.snapshot, 2, 0);
  scans.usersets = index_beginscan(scans.tuples, scans.usersets_index, scans.snapshot, 2, 0);
  scans.by_subject = index_beginscan(scans.tuples, scans.by_subject_index, scans.snapshot, 4, 0);
  scans.newest_model = index_beginscan(scans.models, scans.models_pkey, scans.snapshot, 0, 0);
  scans.tuple_slot = table_slot_create(scans.tuples, nullptr);
  scans.model_slot = table_slot_create(scans.models, nullptr);
  MemoryContextSwitchTo(old);
  return true;
}

void scans_close() {
  if (!scans.open) return;
  ResourceOwner saved = CurrentResourceOwner;
  CurrentResourceOwner = scans.owner;
  scans.open = false;
  if (scans.tuple_slot) ExecDropSingleTupleTableSlot(scans.tuple_slot);
  if (scans.model_slot) ExecDropSingleTupleTableSlot(scans.model_slot);
  IndexScanDesc all[] = {scans.exact, scans.by_object, scans.usersets, scans.by_subject,
                         scans.newest_model};
  for (IndexScanDesc scan : all)
    if (scan) index_endscan(scan);
  Relation indexes[] = {scans.pkey, scans.by_subject_index, scans.usersets_index, scans.models_pkey};
  for (Relation index : indexes)
    if (index) index_close(index, NoLock);
  if (scans.tuples) table_close(scans.tuples, NoLock);
  if (scans.models) table_close(scans.models, NoLock);
  if (scans.snapshot) UnregisterSnapshot(scans.snapshot);
  CurrentResourceOwner = saved;
  scans = Scans();
  MemoryContextReset(scan_context);
}

void scans_forget() {
  if (!scans.open) return;
  scans = Scans();
  if (scan_context) MemoryContextReset(scan_context);
}

bool scan_contains(const core::ObjectKey& object, std::string_view relation,
                   const core::SubjectKey& subject) {
  if (!key_object.set(object.type, ':', object.id) || !key_relation.set(relation)) return false;
  bool fits = subject.relation.empty() ? key_subject.set(subject.type, ':', subject.id)
                                       : key_subject.set(subject.type, ':', subject.id, '#', subject.relation);
  if (!fits) return false;
  ScanKeyData keys[3];
  init_key(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, key_object);
  init_key(&keys[1], 2, BTEqualStrategyNumber, F_TEXTEQ, key_relation);
  init_key(&keys[2], 3, BTEqualStrategyNumber, F_TEXTEQ, key_subject);
  index_rescan(scans.exact, keys, 3, nullptr, 0);
  bool found = false;
  while (index_getnext_slot(scans.exact, ForwardScanDirection, scans.tuple_slot)) {
    if (live(scans.tuple_slot)) {
      found = true;
      break;
    }
  }
  ExecClearTuple(scans.tuple_slot);
  return found;
}

void scan_subjects(const core::ObjectKey& object, std::string_view relation,
                   core::SubjectFilter filter, core::SubjectVisitor visit) {
  if (!key_object.set(object.type, ':', object.id) || !key_relation.set(relation)) return;
  ScanKeyData keys[2];
  init_key(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, key_object);
  init_key(&keys[1], 2, BTEqualStrategyNumber, F_TEXTEQ, key_relation);
  IndexScanDesc scan = filter == core::SubjectFilter::UsersetsOnly ? scans.usersets : scans.by_object;
  index_rescan(scan, keys, 2, nullptr, 0);
  while (index_getnext_slot(scan, ForwardScanDirection, scans.tuple_slot)) {
    if (!live(scans.tuple_slot)) continue;
    bool isnull;
    std::string_view subject = text_view(slot_getattr(scans.tuple_slot, kSubjectAttr, &isnull));
    if (!visit(core::split_subject(subject))) break;
  }
  ExecClearTuple(scans.tuple_slot);
}

void scan_objects(const core::SubjectKey& subject, std::string_view relation,
                  std::string_view object_type, core::ObjectVisitor visit) {
  bool fits = subject.relation.empty() ? key_subject.set(subject.type, ':', subject.id)
                                       : key_subject.set(subject.type, ':', subject.id, '#', subject.relation);
  // Objects of one type are the range ["type:", "type;"): ';' follows ':'.
  if (!fits || !key_relation.set(relation) || !key_low.set(object_type, ':', {}) ||
      !key_high.set(object_type, ';', {}))
    return;
  ScanKeyData keys[4];
  init_key(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, key_subject);
  init_key(&keys[1], 2, BTEqualStrategyNumber, F_TEXTEQ, key_relation);
  init_key(&keys[2], 3, BTGreaterEqualStrategyNumber, F_TEXT_GE, key_low);
  init_key(&keys[3], 3, BTLessStrategyNumber, F_TEXT_LT, key_high);
  index_rescan(scans.by_subject, keys, 4, nullptr, 0);
  while (index_getnext_slot(scans.by_subject, ForwardScanDirection, scans.tuple_slot)) {
    if (!live(scans.tuple_slot)) continue;
    bool isnull;
    std::string_view object = text_view(slot_getattr(scans.tuple_slot, kObjectAttr, &isnull));
    if (!visit(core::split_object(object))) break;
  }
  ExecClearTuple(scans.tuple_slot);
}

bool scan_newest_model(int64* id, const char** dsl, int* dsl_length) {
  index_rescan(scans.newest_model, nullptr, 0, nullptr, 0);
  if (!index_getnext_slot(scans.newest_model, BackwardScanDirection, scans.model_slot)) return false;
  bool isnull;
  *id = DatumGetInt64(slot_getattr(scans.model_slot, kModelIdAttr, &isnull));
  std::string_view text = text_view(slot_getattr(scans.model_slot, kModelDslAttr, &isnull));
  *dsl = text.data();
  *dsl_length = static_cast<int>(text.size());
  return true;
}

void register_scan_lifecycle() {
  prev_executor_end = ExecutorEnd_hook;
  ExecutorEnd_hook = agentauthz_executor_end;
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = agentauthz_process_utility;
  RegisterXactCallback(xact_callback, nullptr);
  RegisterSubXactCallback(subxact_callback, nullptr);
  RegisterResourceReleaseCallback(resource_release_callback, nullptr);
}

}  // namespace agentauthz::pg
