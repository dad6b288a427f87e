#include "pg/audit/log_writer.h"

#include "core/error.h"
#include "pg/actor/active_actor.h"
#include "pg/common/guard.h"
#include "pg/common/privileged.h"
#include "pg/common/sql_args.h"

extern "C" {
#include "access/heapam.h"
}

namespace agentauthz::pg {

namespace {

SPIPlanPtr update_head_plan = nullptr;

constexpr int kColumns = 22;  // agentauthz.audit_log's, in table order

// An optional text column: NULL when empty.
void text_or_null(std::string_view value, Datum* datum, bool* null) {
  *null = value.empty();
  if (!value.empty()) *datum = text_datum(value);
}

void texts_or_null(const std::vector<std::string>& values, Datum* datum, bool* null) {
  *null = values.empty();
  if (values.empty()) return;
  auto* elements = static_cast<Datum*>(palloc(sizeof(Datum) * values.size()));
  for (size_t i = 0; i < values.size(); ++i) elements[i] = text_datum(values[i]);
  *datum = PointerGetDatum(
      construct_array(elements, static_cast<int>(values.size()), TEXTOID, -1, false, TYPALIGN_INT));
}

// The row's columns, in table order.
void row_values(const core::AuditRecord& r, const ChainHash& previous, const ChainHash& hash,
                Datum* values, bool* nulls) {
  memset(nulls, 0, sizeof(bool) * kColumns);
  values[0] = Int64GetDatum(r.id);
  values[1] = TimestampTzGetDatum(r.logged_at);
  values[2] = text_datum(core::audit_kind_name(r.kind));
  nulls[3] = r.db_role.empty();
  if (!nulls[3]) {
    auto* name = static_cast<NameData*>(palloc0(NAMEDATALEN));
    strlcpy(NameStr(*name), r.db_role.c_str(), NAMEDATALEN);
    values[3] = NameGetDatum(name);
  }
  values[4] = Int32GetDatum(r.backend_pid);
  text_or_null(r.actor, &values[5], &nulls[5]);
  text_or_null(r.principal, &values[6], &nulls[6]);
  nulls[7] = r.delegation_chain.empty();
  if (!nulls[7]) {
    auto* links = static_cast<Datum*>(palloc(sizeof(Datum) * r.delegation_chain.size()));
    for (size_t i = 0; i < r.delegation_chain.size(); ++i)
      links[i] = Int64GetDatum(r.delegation_chain[i]);
    values[7] = PointerGetDatum(construct_array(links, static_cast<int>(r.delegation_chain.size()),
                                                INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
  }
  text_or_null(r.purpose, &values[8], &nulls[8]);
  values[9] = Int64GetDatum(r.query_id);
  nulls[9] = r.query_id == 0;
  text_or_null(r.query_hash, &values[10], &nulls[10]);
  text_or_null(r.relation, &values[11], &nulls[11]);
  text_or_null(r.object_type, &values[12], &nulls[12]);
  text_or_null(r.object_id, &values[13], &nulls[13]);
  text_or_null(r.decision, &values[14], &nulls[14]);
  values[15] = Int64GetDatum(r.allowed_count);
  values[16] = Int64GetDatum(r.denied_count);
  texts_or_null(r.allowed_sample, &values[17], &nulls[17]);
  texts_or_null(r.denied_sample, &values[18], &nulls[18]);
  text_or_null(r.detail, &values[19], &nulls[19]);
  values[20] = bytea_datum(previous.data(), previous.size());
  values[21] = bytea_datum(hash.data(), hash.size());
}

// Inserts the rows straight into the heap and its indexes, as COPY does:
// the log has no triggers, defaults or checks to run, and a batch of
// records costs one table open instead of an executor run per row.
void insert_rows(const std::vector<core::AuditRecord>& records,
                 const std::vector<ChainHash>& hashes, const ChainHash& first_previous) {
  Oid schema = get_namespace_oid("agentauthz", false);
  Oid relid = get_relname_relid("audit_log", schema);
  if (!OidIsValid(relid)) elog(ERROR, "agentauthz.audit_log is missing");
  Relation rel = table_open(relid, RowExclusiveLock);
  TupleDesc desc = RelationGetDescr(rel);
  if (desc->natts != kColumns)
    ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
                    errmsg("agentauthz.audit_log does not have the expected columns"),
                    errhint("Reinstall the extension.")));
  EState* estate = CreateExecutorState();
  ResultRelInfo* info = makeNode(ResultRelInfo);
  InitResultRelInfo(info, rel, 1, nullptr, 0);
  ExecOpenIndices(info, false);
  TupleTableSlot* slot = ExecInitExtraTupleSlot(estate, desc, &TTSOpsHeapTuple);
  MemoryContext per_row =
      AllocSetContextCreate(CurrentMemoryContext, "agentauthz audit row", ALLOCSET_DEFAULT_SIZES);
  Datum values[kColumns];
  bool nulls[kColumns];
  // One buffer kept pinned across the batch's rows, as COPY does.
  BulkInsertState bulk = GetBulkInsertState();
  CommandId command = GetCurrentCommandId(true);
  for (size_t i = 0; i < records.size(); ++i) {
    MemoryContext outer = MemoryContextSwitchTo(per_row);
    row_values(records[i], i == 0 ? first_previous : hashes[i - 1], hashes[i], values, nulls);
    HeapTuple tuple = heap_form_tuple(desc, values, nulls);
    ExecStoreHeapTuple(tuple, slot, false);
    table_tuple_insert(rel, slot, command, 0, bulk);
    ExecInsertIndexTuples(info, slot, estate, false, false, nullptr, NIL);
    ExecClearTuple(slot);
    MemoryContextSwitchTo(outer);
    MemoryContextReset(per_row);
  }
  MemoryContextDelete(per_row);
  FreeBulkInsertState(bulk);
  ExecCloseIndices(info);
  ExecResetTupleTable(estate->es_tupleTable, false);
  FreeExecutorState(estate);
  table_close(rel, NoLock);  // the lock is kept until the transaction ends
  CommandCounterIncrement();
}

void write_head(int64 last_id, const ChainHash& last_hash) {
  Oid types[2] = {INT8OID, BYTEAOID};
  SPIPlanPtr plan =
      kept_plan(&update_head_plan, "UPDATE agentauthz.audit_chain SET last_id = $1, last_hash = $2",
                2, types);
  Datum values[2] = {Int64GetDatum(last_id), bytea_datum(last_hash.data(), last_hash.size())};
  int rc = SPI_execute_plan(plan, values, nullptr, false, 0);
  if (rc != SPI_OK_UPDATE)
    elog(ERROR, "could not move the audit chain's head: %s", SPI_result_code_string(rc));
}

}  // namespace

ChainHasher::ChainHasher() {
  pg_guard([&] {
    context_ = pg_cryptohash_create(PG_SHA256);
    if (context_ == nullptr) elog(ERROR, "could not create a SHA-256 context");
  });
}

ChainHasher::~ChainHasher() { pg_cryptohash_free(context_); }

ChainHash ChainHasher::next(const ChainHash& previous, const core::AuditRecord& record) {
  bytes_.assign(reinterpret_cast<const char*>(previous.data()), previous.size());
  core::encode_audit_record(record, &bytes_);
  ChainHash hash;
  if (pg_cryptohash_init(context_) != 0 ||
      pg_cryptohash_update(context_, reinterpret_cast<const uint8*>(bytes_.data()),
                           bytes_.size()) != 0 ||
      pg_cryptohash_final(context_, hash.data(), hash.size()) != 0)
    throw core::Error(core::ErrorKind::Internal, "could not compute SHA-256");
  return hash;
}

bool hash_from_bytea(Datum datum, ChainHash* out) {
  bytea* b = DatumGetByteaPP(datum);
  if (VARSIZE_ANY_EXHDR(b) != out->size()) return false;
  memcpy(out->data(), VARDATA_ANY(b), out->size());
  return true;
}

namespace {
// The transaction that last locked the chain's head in this backend.
LocalTransactionId chain_locked_by = InvalidLocalTransactionId;
}  // namespace

bool chain_locked_in_transaction() { return chain_locked_by == MyProc->lxid; }

// Reads the chain's head row, locked for update when `lock`.
ChainPoint read_chain_point(bool lock) {
  ChainPoint point;
  if (lock) chain_locked_by = MyProc->lxid;
  pg_guard([&] {
    const char* query =
        lock ? "SELECT anchor_id, anchor_hash, last_id, last_hash FROM agentauthz.audit_chain FOR "
               "UPDATE"
             : "SELECT anchor_id, anchor_hash, last_id, last_hash FROM agentauthz.audit_chain";
    int rc = SPI_execute(query, !lock, 2);
    if (rc != SPI_OK_SELECT) elog(ERROR, "could not read the audit chain's head");
    if (SPI_processed == 0) return;
    point.exists = true;
    HeapTuple row = SPI_tuptable->vals[0];
    TupleDesc desc = SPI_tuptable->tupdesc;
    bool isnull;
    point.anchor_id = DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
    bool good_anchor = hash_from_bytea(SPI_getbinval(row, desc, 2, &isnull), &point.anchor_hash);
    point.last_id = DatumGetInt64(SPI_getbinval(row, desc, 3, &isnull));
    bool good_last = hash_from_bytea(SPI_getbinval(row, desc, 4, &isnull), &point.last_hash);
    if (!good_anchor || !good_last)
      ereport(ERROR,
              (errcode(ERRCODE_DATA_CORRUPTED), errmsg("the audit chain's head is malformed")));
  });
  return point;
}

void append_purge_record(int64_t removed, std::string_view object_type, std::string detail) {
  core::AuditRecord record;
  record.kind = core::AuditKind::Purged;
  const char* role = nullptr;
  pg_guard([&] {
    record.logged_at = GetCurrentTimestamp();
    role = GetUserNameFromId(GetUserId(), true);
  });
  if (role) record.db_role = role;
  record.backend_pid = MyProcPid;
  record.object_type = object_type;
  record.allowed_count = removed;
  record.detail = std::move(detail);
  std::vector<core::AuditRecord> records{record};
  append_to_audit_log(records);
}

// Appends records to the audit log as the owner, each hashed onto the chain.
void append_to_audit_log(std::vector<core::AuditRecord>& records) {
  if (records.empty()) return;
  // Whoever's statement produced the records, only the extension's owner
  // writes the log: in a security-restricted scope, search_path pinned.
  SqlScope scope(Rights::Owner);
  pg_guard([&] {
    if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    // A missing head is a fresh chain.
    SPI_execute(
        "INSERT INTO agentauthz.audit_chain (singleton) VALUES (true) ON CONFLICT DO NOTHING",
        false, 0);
  });
  ChainPoint head = read_chain_point(true);
  int64 last_id = head.last_id;
  const ChainHash first_previous = head.last_hash;
  ChainHash last_hash = first_previous;
  std::vector<ChainHash> hashes;
  hashes.reserve(records.size());
  ChainHasher hasher;
  for (core::AuditRecord& record : records) {
    record.id = ++last_id;
    last_hash = hasher.next(last_hash, record);
    hashes.push_back(last_hash);
  }
  pg_guard([&] { insert_rows(records, hashes, first_previous); });
  pg_guard([&] {
    write_head(last_id, last_hash);
    SPI_finish();
  });
}

void log_audit_records(const std::vector<core::AuditRecord>& records, const char* why) {
  for (const core::AuditRecord& record : records) {
    std::string json = core::audit_record_json(record, why);
    pg_guard([&] {
      ereport(LOG, (errmsg("agentauthz audit: %s", json.c_str()), errhidestmt(true),
                    errhidecontext(true)));
    });
  }
}

}  // namespace agentauthz::pg
