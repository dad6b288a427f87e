#include "pg/audit/row.h"

#include <string>
#include <vector>

namespace agentauthz::pg {

namespace {

// Each reader below fills its output and returns whether the column is in
// the form the writer stores. They hold no C++ objects of their own across
// PostgreSQL calls: what they build lives in the caller's StoredRow.

bool required_int64(HeapTuple row, TupleDesc desc, int column, int64_t* out) {
  bool isnull;
  Datum value = SPI_getbinval(row, desc, column, &isnull);
  *out = isnull ? 0 : DatumGetInt64(value);
  return !isnull;
}

bool required_int32(HeapTuple row, TupleDesc desc, int column, int32_t* out) {
  bool isnull;
  Datum value = SPI_getbinval(row, desc, column, &isnull);
  *out = isnull ? 0 : DatumGetInt32(value);
  return !isnull;
}

// A number the writer stores as NULL when it is 0.
bool nonzero_or_null_int64(HeapTuple row, TupleDesc desc, int column, int64_t* out) {
  bool isnull;
  Datum value = SPI_getbinval(row, desc, column, &isnull);
  *out = isnull ? 0 : DatumGetInt64(value);
  return isnull || *out != 0;
}

// A text the writer stores as NULL when it is empty; with `required`, one
// it always stores.
bool read_text(HeapTuple row, TupleDesc desc, int column, std::string* out, bool required = false) {
  bool isnull;
  Datum value = SPI_getbinval(row, desc, column, &isnull);
  out->clear();
  if (isnull) return !required;
  text* t = DatumGetTextPP(value);
  out->assign(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
  return required || !out->empty();
}

bool read_name(HeapTuple row, TupleDesc desc, int column, std::string* out) {
  bool isnull;
  Datum value = SPI_getbinval(row, desc, column, &isnull);
  out->clear();
  if (isnull) return true;
  out->assign(NameStr(*DatumGetName(value)));
  return !out->empty();
}

// A list the writer stores as NULL when it is empty, otherwise as a
// one-dimensional array from 1 without NULL elements; *out is the array
// (nullptr for NULL) when the form is right.
bool read_array(HeapTuple row, TupleDesc desc, int column, ArrayType** out) {
  bool isnull;
  Datum value = SPI_getbinval(row, desc, column, &isnull);
  *out = nullptr;
  if (isnull) return true;
  ArrayType* array = DatumGetArrayTypeP(value);
  if (ARR_NDIM(array) != 1 || ARR_LBOUND(array)[0] != 1 || array_contains_nulls(array))
    return false;
  *out = array;
  return true;
}

bool read_texts(HeapTuple row, TupleDesc desc, int column, std::vector<std::string>* out) {
  out->clear();
  ArrayType* array;
  if (!read_array(row, desc, column, &array)) return false;
  if (array == nullptr) return true;
  Datum* elements;
  int count;
  deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elements, nullptr, &count);
  for (int i = 0; i < count; ++i) {
    text* t = DatumGetTextPP(elements[i]);
    out->emplace_back(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
  }
  return true;
}

bool read_int64s(HeapTuple row, TupleDesc desc, int column, std::vector<int64_t>* out) {
  out->clear();
  ArrayType* array;
  if (!read_array(row, desc, column, &array)) return false;
  if (array == nullptr) return true;
  Datum* elements;
  int count;
  deconstruct_array(array, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &elements, nullptr,
                    &count);
  for (int i = 0; i < count; ++i) out->push_back(DatumGetInt64(elements[i]));
  return true;
}

bool read_hash(HeapTuple row, TupleDesc desc, int column, ChainHash* out) {
  bool isnull;
  Datum value = SPI_getbinval(row, desc, column, &isnull);
  return !isnull && hash_from_bytea(value, out);
}

}  // namespace

void check_audit_row_types(TupleDesc desc) {
  static const Oid expected[] = {
      INT8OID, TIMESTAMPTZOID, TEXTOID,      NAMEOID, INT4OID,  TEXTOID, TEXTOID, INT8ARRAYOID,
      TEXTOID, INT8OID,        TEXTOID,      TEXTOID, TEXTOID,  TEXTOID, TEXTOID, INT8OID,
      INT8OID, TEXTARRAYOID,   TEXTARRAYOID, TEXTOID, BYTEAOID, BYTEAOID};
  bool as_created = desc->natts == lengthof(expected);
  for (int i = 0; as_created && i < desc->natts; ++i)
    as_created = TupleDescAttr(desc, i)->atttypid == expected[i];
  if (!as_created)
    ereport(ERROR,
            (errcode(ERRCODE_DATA_CORRUPTED),
             errmsg("agentauthz.audit_log's columns do not have the types the extension created"),
             errdetail("A column's type was altered, so its rows cannot be verified.")));
}

// Reads every column; the first one in a form the writer never stores is
// named in out->odd_column.
void read_audit_row(HeapTuple row, TupleDesc desc, StoredRow* out) {
  core::AuditRecord& r = out->record;
  out->odd_column = nullptr;
  auto expect = [out](bool as_written, const char* column) {
    if (!as_written && out->odd_column == nullptr) out->odd_column = column;
  };
  expect(required_int64(row, desc, 1, &r.id), "id");
  expect(required_int64(row, desc, 2, &r.logged_at), "logged_at");
  out->kind_ok = read_text(row, desc, 3, &out->kind_name, true) &&
                 core::parse_audit_kind(out->kind_name, &r.kind);
  expect(read_name(row, desc, 4, &r.db_role), "db_role");
  expect(required_int32(row, desc, 5, &r.backend_pid), "backend_pid");
  expect(read_text(row, desc, 6, &r.actor), "actor");
  expect(read_text(row, desc, 7, &r.principal), "principal");
  expect(read_int64s(row, desc, 8, &r.delegation_chain), "delegation_chain");
  expect(read_text(row, desc, 9, &r.purpose), "purpose");
  expect(nonzero_or_null_int64(row, desc, 10, &r.query_id), "query_id");
  expect(read_text(row, desc, 11, &r.query_hash), "query_hash");
  expect(read_text(row, desc, 12, &r.relation), "relation");
  expect(read_text(row, desc, 13, &r.object_type), "object_type");
  expect(read_text(row, desc, 14, &r.object_id), "object_id");
  expect(read_text(row, desc, 15, &r.decision), "decision");
  expect(required_int64(row, desc, 16, &r.allowed_count), "allowed_count");
  expect(required_int64(row, desc, 17, &r.denied_count), "denied_count");
  expect(read_texts(row, desc, 18, &r.allowed_sample), "allowed_sample");
  expect(read_texts(row, desc, 19, &r.denied_sample), "denied_sample");
  expect(read_text(row, desc, 20, &r.detail), "detail");
  out->hashes_ok = read_hash(row, desc, 21, &out->prev) && read_hash(row, desc, 22, &out->hash);
}

}  // namespace agentauthz::pg
