#include "pg/tuple_scans.h"

#include <cstring>

#include "pg/actor_context.h"
#include "pg/catalog.h"
#include "pg/visible_state.h"

namespace agentauthz::pg {

namespace {

// Column numbers, fixed by agentauthz--*.sql and checked when scans open.
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
  bool tuples_open = false;
  bool models_open = false;
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
  IndexScanDesc exact = nullptr;         // pkey, 3 keys
  IndexScanDesc by_object = nullptr;     // pkey, 2 keys
  IndexScanDesc whole_object = nullptr;  // pkey, 1 key
  IndexScanDesc usersets = nullptr;      // usersets index, 2 keys
  IndexScanDesc by_subject = nullptr;    // subject index, 4 keys
  IndexScanDesc newest_model = nullptr;  // models pkey, no keys
  TupleTableSlot* tuple_slot = nullptr;
  TupleTableSlot* model_slot = nullptr;
  Buffer vm_buffer = InvalidBuffer;  // visibility map page of the last all-visible test
};

Scans scans;
uint64 statements = 0;  // snapshots the scans were prepared for
MemoryContext scan_context = nullptr;
// The scans' buffer pins, relation references and snapshot belong to this
// owner (a child of the transaction's), not to whichever portal happened to
// be running: COPY, triggers and cursors all end without leaking them.
ResourceOwner scan_owner = nullptr;
KeyText key_object, key_relation, key_subject, key_low, key_high;

ProcessUtility_hook_type prev_process_utility = nullptr;

std::string_view text_view(Datum datum) {
  text* t = DatumGetTextPP(datum);
  return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// The columns a lookup needs, wherever they were read from.
struct LiveTuple {
  std::string_view object;
  std::string_view relation;
  std::string_view subject;
};

// Where each column sits in an index tuple: the primary key and the
// usersets index are (object, relation, subject) INCLUDE (expires_at), the
// subject index (subject, relation, object) INCLUDE (expires_at).
enum class IndexShape { ObjectFirst, SubjectFirst };

// Advances `scan` to the next tuple that is visible and unexpired. Like an
// index-only scan, it reads the index tuple when the heap page is
// all-visible and fetches the heap tuple otherwise. Views are valid until
// the scan advances or the slot is cleared.
bool next_live(IndexScanDesc scan, IndexShape shape, LiveTuple* out) {
  ItemPointer tid;
  while ((tid = index_getnext_tid(scan, ForwardScanDirection)) != nullptr) {
    Datum values[4];
    bool nulls[4];
    if (VM_ALL_VISIBLE(scans.tuples, ItemPointerGetBlockNumber(tid), &scans.vm_buffer)) {
      index_deform_tuple(scan->xs_itup, scan->xs_itupdesc, values, nulls);
      if (shape == IndexShape::SubjectFirst) std::swap(values[0], values[2]);
    } else {
      if (!index_fetch_heap(scan, scans.tuple_slot)) continue;
      slot_getsomeattrs(scans.tuple_slot, kExpiresAttr);
      for (int i = 0; i < 4; ++i) {
        values[i] = scans.tuple_slot->tts_values[i];
        nulls[i] = scans.tuple_slot->tts_isnull[i];
      }
    }
    if (!nulls[3]) {
      TimestampTz expires_at = DatumGetTimestampTz(values[3]);
      if (expires_at <= scans.now) continue;
      note_expiry(expires_at);  // cached, it holds only until then
    }
    out->object = text_view(values[0]);
    out->relation = text_view(values[1]);
    out->subject = text_view(values[2]);
    return true;
  }
  return false;
}

void init_key(ScanKeyData* key, AttrNumber attno, StrategyNumber strategy, RegProcedure proc,
              const KeyText& value) {
  ScanKeyInit(key, attno, strategy, proc, value.datum());
  key->sk_collation = C_COLLATION_OID;
}

void agentauthz_process_utility(PlannedStmt* pstmt, const char* query_string, bool read_only_tree,
                                ProcessUtilityContext context, ParamListInfo params,
                                QueryEnvironment* query_env, DestReceiver* dest,
                                QueryCompletion* qc) {
  // Utility commands (TRUNCATE, DROP EXTENSION ...) refuse relations that
  // are still open in this session.
  scans_close();
  // DISCARD ALL resets a pooled connection for its next client: the actor
  // context must not survive it.
  if (IsA(pstmt->utilityStmt, DiscardStmt) &&
      reinterpret_cast<DiscardStmt*>(pstmt->utilityStmt)->target == DISCARD_ALL)
    discard_context();
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
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
    case XACT_EVENT_PREPARE:
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
      // The transaction's resource owner releases and deletes ours.
      scans_forget();
      scan_owner = nullptr;
      break;
    default:
      break;
  }
}

void subxact_callback(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
  // Tuples written in the aborted subtransaction are no longer visible.
  if (event == SUBXACT_EVENT_ABORT_SUB) bump_tuples_generation();
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

uint64 scans_statement() { return statements; }

// Ends the scans and closes the relations of `s` that are open, under the
// scans' resource owner; tolerates a partly opened set.
static void release_scans(Scans* s) {
  ResourceOwner saved = CurrentResourceOwner;
  CurrentResourceOwner = s->owner;
  if (BufferIsValid(s->vm_buffer)) ReleaseBuffer(s->vm_buffer);
  if (s->tuple_slot) ExecDropSingleTupleTableSlot(s->tuple_slot);
  if (s->model_slot) ExecDropSingleTupleTableSlot(s->model_slot);
  IndexScanDesc all[] = {s->exact,    s->by_object,  s->whole_object,
                         s->usersets, s->by_subject, s->newest_model};
  for (IndexScanDesc scan : all)
    if (scan) index_endscan(scan);
  Relation indexes[] = {s->pkey, s->by_subject_index, s->usersets_index, s->models_pkey};
  for (Relation index : indexes)
    if (index) index_close(index, NoLock);
  Relation tables[] = {s->tuples, s->models};
  for (Relation table : tables)
    if (table) table_close(table, NoLock);
  if (s->snapshot) UnregisterSnapshot(s->snapshot);
  CurrentResourceOwner = saved;
  *s = Scans();
}

// The relations a lookup needs, opened on first use in a snapshot: a
// statement answered from the caches opens nothing.
enum class Group { Tuples, Models };

// Opens the relations and scans of `group` into `s`; raises ERROR on failure.
static void open_group(Scans* s, const Catalog& cat, Group group) {
  switch (group) {
    case Group::Tuples: {
      // The table only: each index and scan opens on its first lookup.
      s->tuples = table_open(cat.tuples, AccessShareLock);
      static const char* const tuple_columns[] = {"object", "relation", "subject", "expires_at"};
      check_columns(s->tuples, tuple_columns, 4);
      s->tuple_slot = table_slot_create(s->tuples, nullptr);
      s->tuples_open = true;
      break;
    }
    case Group::Models: {
      s->models = table_open(cat.models, AccessShareLock);
      s->models_pkey = index_open(cat.models_pkey, AccessShareLock);
      static const char* const model_columns[] = {"id", "dsl"};
      check_columns(s->models, model_columns, 2);
      s->newest_model = index_beginscan(s->models, s->models_pkey, s->snapshot, 0, 0);
      s->model_slot = table_slot_create(s->models, nullptr);
      s->models_open = true;
      break;
    }
  }
}

bool scans_current() { return scans.open && ActiveSnapshotSet() && current_stamp() == scans.stamp; }

bool scans_prepare() {
  Stamp stamp = current_stamp();
  if (scans.open && stamp == scans.stamp) return false;
  scans_close();
  if (scan_context == nullptr)
    scan_context =
        AllocSetContextCreate(TopMemoryContext, "agentauthz scans", ALLOCSET_SMALL_SIZES);
  if (scan_owner == nullptr)
    scan_owner = ResourceOwnerCreate(TopTransactionResourceOwner, "agentauthz scans");
  ResourceOwner saved_owner = CurrentResourceOwner;
  CurrentResourceOwner = scan_owner;
  Snapshot active = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
  scans.snapshot = RegisterSnapshot(active);
  CurrentResourceOwner = saved_owner;
  scans.owner = scan_owner;
  scans.now = GetCurrentTransactionStartTimestamp();
  scans.open = true;
  scans.stamp = stamp;
  ++statements;
  return !same_view_as_before(scans.snapshot, scans.now, stamp.tuples_generation,
                              stamp.catalog_generation);
}

// Runs `open` (which opens relations or scans into `scans`); on failure
// releases everything, so that the next lookup starts over cleanly.
template <typename Open>
static void open_or_release(Open&& open) {
  PG_TRY();
  { open(); }
  PG_CATCH();
  {
    release_scans(&scans);
    MemoryContextReset(scan_context);
    PG_RE_THROW();
  }
  PG_END_TRY();
}

// Opens `group` for the current snapshot unless it is open.
static void ensure_open(Group group) {
  bool open = group == Group::Tuples ? scans.tuples_open : scans.models_open;
  if (!open) open_or_release([&] { open_group(&scans, catalog(), group); });
}

enum class TupleScan { Exact, ByObject, WholeObject, Usersets, BySubject };

// Opens the index and scan a tuple lookup uses; raises ERROR on failure.
static IndexScanDesc open_tuple_scan(Scans* s, const Catalog& cat, TupleScan which) {
  Relation* index = which == TupleScan::Usersets    ? &s->usersets_index
                    : which == TupleScan::BySubject ? &s->by_subject_index
                                                    : &s->pkey;
  if (*index == nullptr) {
    Oid oid = which == TupleScan::Usersets    ? cat.tuples_usersets
              : which == TupleScan::BySubject ? cat.tuples_subject
                                              : cat.tuples_pkey;
    *index = index_open(oid, AccessShareLock);
  }
  IndexScanDesc* scan = nullptr;
  int keys = 0;
  switch (which) {
    case TupleScan::Exact:
      scan = &s->exact, keys = 3;
      break;
    case TupleScan::ByObject:
      scan = &s->by_object, keys = 2;
      break;
    case TupleScan::WholeObject:
      scan = &s->whole_object, keys = 1;
      break;
    case TupleScan::Usersets:
      scan = &s->usersets, keys = 2;
      break;
    case TupleScan::BySubject:
      scan = &s->by_subject, keys = 4;
      break;
  }
  if (*scan == nullptr) {
    *scan = index_beginscan(s->tuples, *index, s->snapshot, keys, 0);
    // The indexes carry expires_at: lookups read index tuples and visit the
    // heap only for pages the visibility map does not show all-visible.
    (*scan)->xs_want_itup = true;
  }
  return *scan;
}

// The scan for a tuple lookup, opened when first needed (the tuples group
// is open).
static IndexScanDesc tuple_scan(TupleScan which) {
  IndexScanDesc* open = which == TupleScan::Exact         ? &scans.exact
                        : which == TupleScan::ByObject    ? &scans.by_object
                        : which == TupleScan::WholeObject ? &scans.whole_object
                        : which == TupleScan::Usersets    ? &scans.usersets
                                                          : &scans.by_subject;
  if (*open == nullptr) open_or_release([&] { open_tuple_scan(&scans, catalog(), which); });
  return *open;
}

void scans_close() {
  if (!scans.open) return;
  release_scans(&scans);
  MemoryContextReset(scan_context);
}

void scans_forget() {
  if (!scans.open) return;
  scans = Scans();
  if (scan_context) MemoryContextReset(scan_context);
}

static bool contains_impl(const core::ObjectKey& object, std::string_view relation,
                          const core::SubjectKey& subject) {
  if (!key_object.set(object.type, ':', object.id) || !key_relation.set(relation)) return false;
  bool fits = subject.relation.empty()
                  ? key_subject.set(subject.type, ':', subject.id)
                  : key_subject.set(subject.type, ':', subject.id, '#', subject.relation);
  if (!fits) return false;
  ScanKeyData keys[3];
  init_key(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, key_object);
  init_key(&keys[1], 2, BTEqualStrategyNumber, F_TEXTEQ, key_relation);
  init_key(&keys[2], 3, BTEqualStrategyNumber, F_TEXTEQ, key_subject);
  IndexScanDesc scan = tuple_scan(TupleScan::Exact);
  index_rescan(scan, keys, 3, nullptr, 0);
  LiveTuple tuple;
  bool found = next_live(scan, IndexShape::ObjectFirst, &tuple);
  ExecClearTuple(scans.tuple_slot);
  return found;
}

static void subjects_impl(const core::ObjectKey& object, std::string_view relation,
                          core::SubjectFilter filter, core::SubjectVisitor visit) {
  if (!key_object.set(object.type, ':', object.id) || !key_relation.set(relation)) return;
  ScanKeyData keys[2];
  init_key(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, key_object);
  init_key(&keys[1], 2, BTEqualStrategyNumber, F_TEXTEQ, key_relation);
  IndexScanDesc scan = tuple_scan(
      filter == core::SubjectFilter::UsersetsOnly ? TupleScan::Usersets : TupleScan::ByObject);
  index_rescan(scan, keys, 2, nullptr, 0);
  LiveTuple tuple;
  while (next_live(scan, IndexShape::ObjectFirst, &tuple))
    if (!visit(core::split_subject(tuple.subject))) break;
  ExecClearTuple(scans.tuple_slot);
}

static bool object_impl(const core::ObjectKey& object, size_t limit, core::TupleVisitor visit) {
  if (!key_object.set(object.type, ':', object.id)) return true;
  ScanKeyData keys[1];
  init_key(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, key_object);
  IndexScanDesc scan = tuple_scan(TupleScan::WholeObject);
  index_rescan(scan, keys, 1, nullptr, 0);
  size_t count = 0;
  bool few = true;
  LiveTuple tuple;
  while (next_live(scan, IndexShape::ObjectFirst, &tuple)) {
    if (++count > limit) {
      few = false;
      break;
    }
    if (!visit(tuple.relation, core::split_subject(tuple.subject))) break;
  }
  ExecClearTuple(scans.tuple_slot);
  return few;
}

static void objects_impl(const core::SubjectKey& subject, std::string_view relation,
                         std::string_view object_type, core::ObjectVisitor visit) {
  bool fits = subject.relation.empty()
                  ? key_subject.set(subject.type, ':', subject.id)
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
  IndexScanDesc scan = tuple_scan(TupleScan::BySubject);
  index_rescan(scan, keys, 4, nullptr, 0);
  LiveTuple tuple;
  while (next_live(scan, IndexShape::SubjectFirst, &tuple))
    if (!visit(core::split_object(tuple.object))) break;
  ExecClearTuple(scans.tuple_slot);
}

static bool newest_model_impl(int64* id, const char** dsl, int* dsl_length) {
  index_rescan(scans.newest_model, nullptr, 0, nullptr, 0);
  if (!index_getnext_slot(scans.newest_model, BackwardScanDirection, scans.model_slot))
    return false;
  bool isnull;
  *id = DatumGetInt64(slot_getattr(scans.model_slot, kModelIdAttr, &isnull));
  std::string_view text = text_view(slot_getattr(scans.model_slot, kModelDslAttr, &isnull));
  *dsl = text.data();
  *dsl_length = static_cast<int>(text.size());
  return true;
}

// The public lookups run under the scans' resource owner and memory context:
// the buffer pins they take and the memory the index AM allocates lazily
// (btree's killed-items array, freed by index_endscan) must live as long as
// the scans, not as long as the caller's per-row context. pg_guard restores
// the previous owner and context when a lookup raises an error.

// Runs `lookup` under the scans' owner and context, restoring the caller's
// whether it returns or throws (a visitor may throw: a cancel, an
// allocation failure). A PostgreSQL error raised inside is restored by the
// enclosing pg_guard, which saved the same owner and context.
template <typename Lookup>
static bool with_scans(Group group, Lookup&& lookup) {
  ResourceOwner saved = CurrentResourceOwner;
  MemoryContext saved_context = MemoryContextSwitchTo(scan_context);
  CurrentResourceOwner = scans.owner;
  bool result = false;
  try {
    ensure_open(group);
    result = lookup();
  } catch (...) {
    CurrentResourceOwner = saved;
    MemoryContextSwitchTo(saved_context);
    throw;
  }
  CurrentResourceOwner = saved;
  MemoryContextSwitchTo(saved_context);
  return result;
}

bool scan_contains(const core::ObjectKey& object, std::string_view relation,
                   const core::SubjectKey& subject) {
  return with_scans(Group::Tuples, [&] { return contains_impl(object, relation, subject); });
}

void scan_subjects(const core::ObjectKey& object, std::string_view relation,
                   core::SubjectFilter filter, core::SubjectVisitor visit) {
  with_scans(Group::Tuples, [&] { return subjects_impl(object, relation, filter, visit), true; });
}

bool scan_object(const core::ObjectKey& object, size_t limit, core::TupleVisitor visit) {
  return with_scans(Group::Tuples, [&] { return object_impl(object, limit, visit); });
}

void scan_objects(const core::SubjectKey& subject, std::string_view relation,
                  std::string_view object_type, core::ObjectVisitor visit) {
  with_scans(Group::Tuples,
             [&] { return objects_impl(subject, relation, object_type, visit), true; });
}

bool scan_newest_model(int64* id, const char** dsl, int* dsl_length) {
  return with_scans(Group::Models, [&] { return newest_model_impl(id, dsl, dsl_length); });
}

TimestampTz scans_now() { return scans.now; }

void register_scan_lifecycle() {
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = agentauthz_process_utility;
  RegisterXactCallback(xact_callback, nullptr);
  RegisterSubXactCallback(subxact_callback, nullptr);
}

}  // namespace agentauthz::pg
