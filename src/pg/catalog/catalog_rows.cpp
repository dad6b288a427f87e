#include "pg/catalog/catalog_rows.h"

#include <string_view>

#include "pg/catalog/relations.h"

namespace agentauthz::pg {

namespace {

std::string text_string(Datum datum) {
  text* t = DatumGetTextPP(datum);
  return std::string(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

// The column number of delegations.context, or 0 where the table is still
// 0.4's (a library loaded before ALTER EXTENSION ... UPDATE).
constexpr int kContextColumn = 14;  // after revoked_by
int context_column(TupleDesc desc) {
  if (desc->natts < kContextColumn) return 0;
  Form_pg_attribute attribute = TupleDescAttr(desc, kContextColumn - 1);
  return !attribute->attisdropped && strcmp(NameStr(attribute->attname), "context") == 0 &&
                 attribute->atttypid == JSONBOID
             ? kContextColumn
             : 0;
}

// Copies a delegations heap row into `row`.
void copy_delegation(HeapTuple tuple, TupleDesc desc, DelegationRow* row) {
  bool isnull;
  row->id = DatumGetInt64(heap_getattr(tuple, 1, desc, &isnull));
  Datum parent = heap_getattr(tuple, 2, desc, &isnull);
  row->parent_id = isnull ? 0 : DatumGetInt64(parent);
  row->principal = text_string(heap_getattr(tuple, 3, desc, &isnull));
  row->agent = text_string(heap_getattr(tuple, 4, desc, &isnull));
  ArrayType* scopes = DatumGetArrayTypeP(heap_getattr(tuple, 5, desc, &isnull));
  Datum* elements;
  bool* nulls;
  int count;
  deconstruct_array(scopes, TEXTOID, -1, false, TYPALIGN_INT, &elements, &nulls, &count);
  row->scopes.clear();
  for (int i = 0; i < count; ++i)
    if (!nulls[i]) row->scopes.push_back(text_string(elements[i]));
  row->purpose = text_string(heap_getattr(tuple, 6, desc, &isnull));
  row->expires_at = DatumGetTimestampTz(heap_getattr(tuple, 7, desc, &isnull));
  row->depth = DatumGetInt32(heap_getattr(tuple, 8, desc, &isnull));
  bytea* hash = DatumGetByteaPP(heap_getattr(tuple, 9, desc, &isnull));
  if (VARSIZE_ANY_EXHDR(hash) == row->secret_hash.size())
    memcpy(row->secret_hash.data(), VARDATA_ANY(hash), row->secret_hash.size());
  heap_getattr(tuple, 12, desc, &isnull);
  row->revoked = !isnull;
  row->context.clear();
  if (int column = context_column(desc)) {
    Datum context = heap_getattr(tuple, column, desc, &isnull);
    if (!isnull) {
      Jsonb* value = DatumGetJsonbP(context);
      char* printed = JsonbToCString(nullptr, &value->root, static_cast<int>(VARSIZE(value)));
      row->context = printed;
      pfree(printed);
    }
  }
}

}  // namespace

// Reads one delegation by id through its primary key; false when there is none.
bool read_delegation_row(int64 id, DelegationRow* row) {
  const Catalog& cat = catalog();
  Relation rel = table_open(cat.delegations, AccessShareLock);
  static const char* const columns[] = {"id",          "parent_id",  "principal",  "agent",
                                        "scopes",      "purpose",    "expires_at", "depth",
                                        "secret_hash", "created_at", "created_by", "revoked_at"};
  check_columns(rel, columns, 12);
  ScanKeyData key;
  ScanKeyInit(&key, 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(id));
  // No snapshot given: systable_beginscan takes a fresh catalog snapshot.
  SysScanDesc scan = systable_beginscan(rel, cat.delegations_pkey, true, nullptr, 1, &key);
  HeapTuple tuple = systable_getnext(scan);
  bool found = HeapTupleIsValid(tuple);
  if (found) copy_delegation(tuple, RelationGetDescr(rel), row);
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
  return found;
}

// Reads the agent registered for a role name; false when there is none.
bool read_agent_of_role(const char* role_name, std::string* agent) {
  const Catalog& cat = catalog();
  Relation rel = table_open(cat.agents, AccessShareLock);
  static const char* const columns[] = {"agent", "role_name"};
  check_columns(rel, columns, 2);
  NameData name;
  namestrcpy(&name, role_name);
  ScanKeyData key;
  // Heap column numbers: systable_beginscan maps them to the index's.
  ScanKeyInit(&key, 2, BTEqualStrategyNumber, F_NAMEEQ, NameGetDatum(&name));
  SysScanDesc scan = systable_beginscan(rel, cat.agents_pkey, true, nullptr, 1, &key);
  HeapTuple tuple = systable_getnext(scan);
  bool found = HeapTupleIsValid(tuple);
  if (found) {
    bool isnull;
    *agent = text_string(heap_getattr(tuple, 1, RelationGetDescr(rel), &isnull));
  }
  systable_endscan(scan);
  table_close(rel, AccessShareLock);
  return found;
}

namespace {

// A palloc'd text of `prefix` followed by one character (no C++ object is
// alive across the PostgreSQL calls of the caller).
text* text_with_suffix(std::string_view prefix, char suffix) {
  size_t length = prefix.size() + 1;
  text* t = static_cast<text*>(palloc(VARHDRSZ + length));
  SET_VARSIZE(t, VARHDRSZ + length);
  memcpy(VARDATA(t), prefix.data(), prefix.size());
  VARDATA(t)[prefix.size()] = suffix;
  return t;
}

// Whether a systable scan of agentauthz.tuples over `index` with `keys`
// finds a row, under a fresh catalog snapshot.
bool any_tuple(Relation rel, Oid index, ScanKeyData* keys, int count) {
  SysScanDesc scan = systable_beginscan(rel, index, true, nullptr, count, keys);
  bool found = HeapTupleIsValid(systable_getnext(scan));
  systable_endscan(scan);
  return found;
}

}  // namespace

// Whether any tuple committed by now names `object`, as object, subject or userset.
bool latest_tuples_name(std::string_view object) {
  const Catalog& cat = catalog();
  Relation rel = table_open(cat.tuples, AccessShareLock);
  text* exact = cstring_to_text_with_len(object.data(), static_cast<int>(object.size()));
  // The usersets `object#...` are the range [object#, object$).
  text* userset_low = text_with_suffix(object, '#');
  text* userset_high = text_with_suffix(object, '$');
  // Heap column numbers: object is 1, subject 3.
  ScanKeyData as_object[1];
  ScanKeyInit(&as_object[0], 1, BTEqualStrategyNumber, F_TEXTEQ, PointerGetDatum(exact));
  ScanKeyData as_subject[1];
  ScanKeyInit(&as_subject[0], 3, BTEqualStrategyNumber, F_TEXTEQ, PointerGetDatum(exact));
  ScanKeyData as_userset[2];
  ScanKeyInit(&as_userset[0], 3, BTGreaterEqualStrategyNumber, F_TEXT_GE,
              PointerGetDatum(userset_low));
  ScanKeyInit(&as_userset[1], 3, BTLessStrategyNumber, F_TEXT_LT, PointerGetDatum(userset_high));
  bool found = any_tuple(rel, cat.tuples_pkey, as_object, 1) ||
               any_tuple(rel, cat.tuples_subject, as_subject, 1) ||
               any_tuple(rel, cat.tuples_subject, as_userset, 2);
  table_close(rel, AccessShareLock);
  return found;
}

}  // namespace agentauthz::pg
