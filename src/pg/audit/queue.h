// The shared-memory audit queue: one ring of encoded records per database,
// each drained by one of the audit writers (background workers registered
// when the library is preloaded, so that no other process can take their
// places; see pg/audit/worker.cpp), so records reach agentauthz.audit_log
// whatever the statement's own transaction does. Present only when the
// library is in shared_preload_libraries.
//
// A backend never drops a record: when the ring has no room for it, it
// waits while the writer makes progress, and its statement fails when the
// writer makes none for agentauthz.audit_queue_wait. One backend may hold
// at most agentauthz.audit_backend_share percent of a ring, so that one
// actor cannot crowd out the records of others.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/audit_record.h"
#include "pg/common/pg_headers.h"

namespace agentauthz::pg::audit_queue {

// Installs the shared-memory hooks and registers the writers; from _PG_init
// while preloading.
void register_hooks();
// Whether the queue exists in this server.
bool available();

// Framed records: each a 4-byte length and the 4-byte number of the backend
// (PGPROC) that queued it, followed by its canonical bytes.
struct Batch {
  std::string bytes;
  int64_t records = 0;
  // Appends a record, encoded in place, owned by this backend.
  void add(const core::AuditRecord& record);
  void append(const Batch& other) { bytes.append(other.bytes), records += other.records; }
  void clear() { bytes.clear(), records = 0; }
  // The records again; throws core::Error(Internal) on a malformed frame.
  std::vector<core::AuditRecord> decode() const;
};

enum class Failure { Raise, Return };
// Moves `batch` into the current database's ring, waiting for room while
// the writer makes progress. When the writer makes none for `patience_ms`
// (or every ring serves another database for that long, or a record is
// larger than a ring), what is left stays in `batch` and: Raise, the
// statement fails (53400); Return, false is returned (the caller keeps the
// records elsewhere). A cancel or termination while waiting raises as
// usual, with what was queued removed from `batch`.
bool enqueue(Batch& batch, Failure on_failure, long patience_ms);
// Waits until the writer has written every record queued for the current
// database so far; false after timeout_ms.
bool wait_written(long timeout_ms);

struct SlotStats {
  Oid database = InvalidOid;
  int worker_pid = 0;
  int64_t queued_bytes = 0;
  int64_t capacity_bytes = 0;
  int64_t enqueued = 0;
  int64_t written = 0;
  int64_t dropped = 0;
};
std::vector<SlotStats> stats();

// Writer side ---------------------------------------------------------------

// Writer `writer` is up and not connected to a database: records its latch,
// and returns a ring that has records and no writer, now its own (-1: none;
// wait on the latch and ask again).
int writer_claim(int writer);
// The database a claimed ring serves.
Oid slot_database(int slot);
// The writer process is leaving: its ring (if any) is writerless again, or
// released when `connected` is false (its database could not be entered:
// it was dropped).
void writer_detach(int writer, bool connected);
// Whether another ring waits for a writer that none is free to serve: a
// writer that has served its ring for long leaves to let it be served.
bool others_waiting(int slot);
// Copies up to `max_bytes` of whole framed records from the ring, without
// consuming them; sets *dropped_unreported to the drops not yet written to
// the log.
void worker_peek(int slot, size_t max_bytes, Batch* out, int64_t* dropped_unreported);
// Consumes what worker_peek returned once it is committed.
void worker_consume(int slot, const Batch& written, int64_t dropped_reported);
// Called when the writer finds its ring empty: true means it may leave (the
// ring now has no writer; the next record wakes a free one).
bool worker_may_exit(int slot);
// Discards everything queued (the extension is gone from the database,
// counted as dropped) and frees the ring.
void worker_release(int slot);

}  // namespace agentauthz::pg::audit_queue
