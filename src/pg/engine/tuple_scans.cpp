#include "pg/engine/tuple_scans.h"

#include <cstring>

#include "pg/catalog/relations.h"
#include "pg/engine/scan_session.h"
#include "pg/engine/visible_state.h"
#include "pg/tuples/tuple_columns.h"

namespace agentauthz::pg {

namespace {

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

// What the tuple lookups opened for the current session: the table, and each
// index and scan on its first use.
struct TupleScans {
  bool open = false;
  bool conditions = false;  // the table has the condition columns (0.5 on)
  Relation tuples = nullptr;
  Relation pkey = nullptr;
  Relation by_subject_index = nullptr;
  Relation usersets_index = nullptr;
  IndexScanDesc exact = nullptr;         // pkey, 3 keys
  IndexScanDesc by_object = nullptr;     // pkey, 2 keys
  IndexScanDesc whole_object = nullptr;  // pkey, 1 key
  IndexScanDesc usersets = nullptr;      // usersets index, 2 keys
  IndexScanDesc by_subject = nullptr;    // subject index, 4 keys
  TupleTableSlot* tuple_slot = nullptr;
  Buffer vm_buffer = InvalidBuffer;  // visibility map page of the last all-visible test
  // The context of the conditional tuple each scan last read, printed as
  // JSON (readers hand out views of it); allocated in the session's memory
  // context on first use. One per scan, as a visitor of one scan may call
  // another.
  StringInfoData contexts[5];
};

TupleScans scans;
KeyText key_object, key_relation, key_subject, key_low, key_high;

std::string_view text_view(Datum datum) {
  text* t = DatumGetTextPP(datum);
  return std::string_view(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// The columns a lookup needs, wherever they were read from.
struct LiveTuple {
  std::string_view object;
  std::string_view relation;
  std::string_view subject;
  core::TupleCondition condition;
};

// Where each column sits in an index tuple: the primary key and the
// usersets index are (object, relation, subject) INCLUDE (expires_at,
// condition_name), the subject index (subject, relation, object) INCLUDE
// (expires_at, condition_name).
enum class IndexShape { ObjectFirst, SubjectFirst };

// Prints the context of the heap tuple in the slot into *out (emptied
// first); returns its text, empty when the column is NULL.
std::string_view print_context(TupleTableSlot* slot, StringInfo out) {
  bool isnull;
  Datum datum = slot_getattr(slot, kConditionContextAttr, &isnull);
  if (isnull) return {};
  if (out->data == nullptr) initStringInfo(out);
  resetStringInfo(out);
  Jsonb* context = DatumGetJsonbP(datum);
  JsonbToCString(out, &context->root, static_cast<int>(VARSIZE(context)));
  if (PointerGetDatum(context) != datum) pfree(context);  // a detoasted copy
  return std::string_view(out->data, static_cast<size_t>(out->len));
}

// Advances `scan` to the next tuple that is visible and unexpired. Like an
// index-only scan, it reads the index tuple when the heap page is
// all-visible and fetches the heap tuple otherwise; the index tuple tells
// whether the tuple has a condition, and only a conditional tuple's heap
// tuple is fetched for its context (printed into *context). Views are
// valid until the scan advances or the slot is cleared.
bool next_live(IndexScanDesc scan, IndexShape shape, StringInfo context, LiveTuple* out) {
  ItemPointer tid;
  while ((tid = index_getnext_tid(scan, ForwardScanDirection)) != nullptr) {
    Datum values[kIndexColumns];
    bool nulls[kIndexColumns];
    bool in_slot = false;
    nulls[kIndexConditionNameAttr - 1] = true;  // a table from before 0.5 has no conditions
    if (VM_ALL_VISIBLE(scans.tuples, ItemPointerGetBlockNumber(tid), &scans.vm_buffer)) {
      index_deform_tuple(scan->xs_itup, scan->xs_itupdesc, values, nulls);
      if (shape == IndexShape::SubjectFirst) std::swap(values[0], values[2]);
    } else {
      if (!index_fetch_heap(scan, scans.tuple_slot)) continue;
      in_slot = true;
      slot_getsomeattrs(scans.tuple_slot, scans.conditions ? kConditionNameAttr : kExpiresAttr);
      for (int i = 0; i < kIndexExpiresAttr; ++i) {
        values[i] = scans.tuple_slot->tts_values[i];
        nulls[i] = scans.tuple_slot->tts_isnull[i];
      }
      if (scans.conditions) {
        values[kIndexConditionNameAttr - 1] = scans.tuple_slot->tts_values[kConditionNameAttr - 1];
        nulls[kIndexConditionNameAttr - 1] = scans.tuple_slot->tts_isnull[kConditionNameAttr - 1];
      }
    }
    if (!nulls[kIndexExpiresAttr - 1]) {
      TimestampTz expires_at = DatumGetTimestampTz(values[kIndexExpiresAttr - 1]);
      if (expires_at <= scans_now()) continue;
      note_expiry(expires_at);  // cached, it holds only until then
    }
    out->condition = core::TupleCondition();
    if (!nulls[kIndexConditionNameAttr - 1]) {
      if (!in_slot && !index_fetch_heap(scan, scans.tuple_slot)) continue;
      out->condition.name = text_view(values[kIndexConditionNameAttr - 1]);
      out->condition.context = print_context(scans.tuple_slot, context);
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

}  // namespace

// Ends the scans and closes the relations that are open; tolerates a partly
// opened set. Runs under the session's resource owner; the contexts'
// buffers go with the session's memory context.
static void release_tuple_scans() {
  if (BufferIsValid(scans.vm_buffer)) ReleaseBuffer(scans.vm_buffer);
  if (scans.tuple_slot) ExecDropSingleTupleTableSlot(scans.tuple_slot);
  IndexScanDesc all[] = {scans.exact, scans.by_object, scans.whole_object, scans.usersets,
                         scans.by_subject};
  for (IndexScanDesc scan : all)
    if (scan) index_endscan(scan);
  Relation indexes[] = {scans.pkey, scans.by_subject_index, scans.usersets_index};
  for (Relation index : indexes)
    if (index) index_close(index, NoLock);
  if (scans.tuples) table_close(scans.tuples, NoLock);
  scans = TupleScans();
}

static void forget_tuple_scans() { scans = TupleScans(); }

static const ScanReader tuple_reader = {release_tuple_scans, forget_tuple_scans};

// Opens the table for the current session unless it is open (each index
// and scan opens on its first lookup).
static void ensure_open() {
  if (scans.open) return;
  static bool registered = false;
  if (!registered) {
    register_scan_reader(&tuple_reader);
    registered = true;
  }
  scans_open([] {
    scans.tuples = table_open(catalog().tuples, AccessShareLock);
    scans.conditions = check_tuple_columns(scans.tuples);
    scans.tuple_slot = table_slot_create(scans.tuples, nullptr);
    scans.open = true;
  });
}

enum class TupleScan { Exact, ByObject, WholeObject, Usersets, BySubject };

// Opens the index and scan a tuple lookup uses; raises ERROR on failure.
static IndexScanDesc open_tuple_scan(TupleScans* s, const Catalog& cat, TupleScan which) {
  Relation* index = which == TupleScan::Usersets    ? &s->usersets_index
                    : which == TupleScan::BySubject ? &s->by_subject_index
                                                    : &s->pkey;
  if (*index == nullptr) {
    Oid oid = which == TupleScan::Usersets    ? cat.tuples_usersets
              : which == TupleScan::BySubject ? cat.tuples_subject
                                              : cat.tuples_pkey;
    *index = index_open(oid, AccessShareLock);
    // Index tuples are read by column number (next_live).
    int columns = s->conditions ? kIndexColumns : kIndexExpiresAttr;
    if (IndexRelationGetNumberOfAttributes(*index) != columns)
      ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                      errmsg("agentauthz index \"%s\" does not have the expected columns",
                             RelationGetRelationName(*index)),
                      errhint("Reinstall the extension.")));
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
    *scan = index_beginscan(s->tuples, *index, scans_snapshot(), keys, 0);
    // The indexes carry expires_at: lookups read index tuples and visit the
    // heap only for pages the visibility map does not show all-visible.
    (*scan)->xs_want_itup = true;
  }
  return *scan;
}

// The scan for a tuple lookup, opened when first needed (the table is
// open).
static IndexScanDesc tuple_scan(TupleScan which) {
  IndexScanDesc* open = which == TupleScan::Exact         ? &scans.exact
                        : which == TupleScan::ByObject    ? &scans.by_object
                        : which == TupleScan::WholeObject ? &scans.whole_object
                        : which == TupleScan::Usersets    ? &scans.usersets
                                                          : &scans.by_subject;
  if (*open == nullptr) scans_open([&] { open_tuple_scan(&scans, catalog(), which); });
  return *open;
}

// The context buffer of a scan.
static StringInfo context_buffer(TupleScan which) {
  return &scans.contexts[static_cast<int>(which)];
}

// Probes the unique index for one exact tuple; sets *condition (when given)
// to its condition, copied to the exact scan's buffer (valid until the next
// probe).
static bool contains_impl(const core::ObjectKey& object, std::string_view relation,
                          const core::SubjectKey& subject, core::TupleCondition* condition) {
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
  StringInfo buffer = context_buffer(TupleScan::Exact);
  bool found = next_live(scan, IndexShape::ObjectFirst, buffer, &tuple);
  if (found && condition != nullptr && !tuple.condition.empty()) {
    // The name may lie in the heap tuple the slot is about to let go of:
    // it joins the context in the buffer (context first, name after).
    if (tuple.condition.context.empty()) {
      if (buffer->data == nullptr) initStringInfo(buffer);
      resetStringInfo(buffer);
    }
    int context_length = buffer->len;
    appendBinaryStringInfo(buffer, tuple.condition.name.data(),
                           static_cast<int>(tuple.condition.name.size()));
    condition->context = std::string_view(buffer->data, static_cast<size_t>(context_length));
    condition->name = std::string_view(buffer->data + context_length,
                                       static_cast<size_t>(buffer->len - context_length));
  }
  ExecClearTuple(scans.tuple_slot);
  return found;
}

static void subjects_impl(const core::ObjectKey& object, std::string_view relation,
                          core::SubjectFilter filter, core::SubjectVisitor visit) {
  if (!key_object.set(object.type, ':', object.id) || !key_relation.set(relation)) return;
  ScanKeyData keys[2];
  init_key(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, key_object);
  init_key(&keys[1], 2, BTEqualStrategyNumber, F_TEXTEQ, key_relation);
  TupleScan which =
      filter == core::SubjectFilter::UsersetsOnly ? TupleScan::Usersets : TupleScan::ByObject;
  IndexScanDesc scan = tuple_scan(which);
  index_rescan(scan, keys, 2, nullptr, 0);
  LiveTuple tuple;
  while (next_live(scan, IndexShape::ObjectFirst, context_buffer(which), &tuple)) {
    core::SubjectKey key = core::split_subject(tuple.subject);
    key.condition = tuple.condition;
    if (!visit(key)) break;
  }
  ExecClearTuple(scans.tuple_slot);
}

// Visits the tuples of one object; false, having visited none, when there are more than `limit`.
static bool object_impl(const core::ObjectKey& object, size_t limit, core::TupleVisitor visit) {
  if (!key_object.set(object.type, ':', object.id)) return true;
  ScanKeyData keys[1];
  init_key(&keys[0], 1, BTEqualStrategyNumber, F_TEXTEQ, key_object);
  IndexScanDesc scan = tuple_scan(TupleScan::WholeObject);
  index_rescan(scan, keys, 1, nullptr, 0);
  size_t count = 0;
  bool few = true;
  LiveTuple tuple;
  while (next_live(scan, IndexShape::ObjectFirst, context_buffer(TupleScan::WholeObject), &tuple)) {
    if (++count > limit) {
      few = false;
      break;
    }
    core::SubjectKey key = core::split_subject(tuple.subject);
    key.condition = tuple.condition;
    if (!visit(tuple.relation, key)) break;
  }
  ExecClearTuple(scans.tuple_slot);
  return few;
}

// Visits the objects of a type on which `subject` holds `relation`, by the subject index.
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
  while (next_live(scan, IndexShape::SubjectFirst, context_buffer(TupleScan::BySubject), &tuple)) {
    core::ObjectKey key = core::split_object(tuple.object);
    key.condition = tuple.condition;
    if (!visit(key)) break;
  }
  ExecClearTuple(scans.tuple_slot);
}

// Each public lookup runs under the session's resource owner and memory
// context (scan_session.h), opening the table first if needed.
template <typename Lookup>
static auto tuple_lookup(Lookup&& lookup) {
  return with_scans([&] {
    ensure_open();
    return lookup();
  });
}

bool scan_contains(const core::ObjectKey& object, std::string_view relation,
                   const core::SubjectKey& subject, core::TupleCondition* condition) {
  if (condition != nullptr) *condition = core::TupleCondition();
  return tuple_lookup([&] { return contains_impl(object, relation, subject, condition); });
}

void scan_subjects(const core::ObjectKey& object, std::string_view relation,
                   core::SubjectFilter filter, core::SubjectVisitor visit) {
  tuple_lookup([&] { return subjects_impl(object, relation, filter, visit), true; });
}

bool scan_object(const core::ObjectKey& object, size_t limit, core::TupleVisitor visit) {
  return tuple_lookup([&] { return object_impl(object, limit, visit); });
}

void scan_objects(const core::SubjectKey& subject, std::string_view relation,
                  std::string_view object_type, core::ObjectVisitor visit) {
  tuple_lookup([&] { return objects_impl(subject, relation, object_type, visit), true; });
}

}  // namespace agentauthz::pg
