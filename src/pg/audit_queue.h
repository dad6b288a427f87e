// The shared-memory audit queue: one ring of encoded records per database,
// each drained by a background worker connected to that database (see
// audit_worker.cpp), so records reach agentauthz.audit_log whatever the
// statement's own transaction does. Present only when the library is in
// shared_preload_libraries.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/audit_record.h"
#include "pg/pg_headers.h"

namespace agentauthz::pg::audit_queue {

// Installs the shared-memory hooks; from _PG_init while preloading.
void register_hooks();
// Whether the queue exists in this server.
bool available();

// Framed records: each a 4-byte length followed by its canonical bytes.
struct Batch {
  std::string bytes;
  int64_t records = 0;
  // Appends a record, encoded in place.
  void add(const core::AuditRecord& record);
  void append(const Batch& other) { bytes.append(other.bytes), records += other.records; }
  void clear() { bytes.clear(), records = 0; }
  // The records again; throws core::Error(Internal) on a malformed frame.
  std::vector<core::AuditRecord> decode() const;
};

enum class Outcome { Queued, NoSlot };
// Moves `batch` into the current database's ring, waiting for room while
// `*wait_ms` lasts (the time waited is subtracted). Records that still find
// no room are dropped and counted (*dropped); the worker writes a
// `dropped` row for them. NoSlot: every ring serves another database or no
// worker can be started; the caller writes the records itself.
Outcome enqueue(Batch& batch, long* wait_ms, int64_t* dropped);
// Waits until the worker has written every record queued for the current
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

// Transactions of the audit writers: they write only the audit tables, so
// a snapshot that differs from another only by them sees the same tuples,
// models and delegations (visible_state.cpp keeps its caches across them).
// The writer notes its transaction before committing it.
void note_writer_transaction(TransactionId xid);
// Whether `xid` is one noted recently (false for older ones, forgotten).
bool is_writer_transaction(TransactionId xid);

// Worker side ---------------------------------------------------------------

// The worker for slot `slot` has started: records its pid and latch.
// Returns the database to connect to (InvalidOid: the slot was released).
Oid worker_attach(int slot);
// Copies up to `max_bytes` of whole framed records from the ring, without
// consuming them; sets *dropped_unreported to the drops not yet written to
// the log.
void worker_peek(int slot, size_t max_bytes, Batch* out, int64_t* dropped_unreported);
// Consumes what worker_peek returned once it is committed.
void worker_consume(int slot, size_t bytes, int64_t records, int64_t dropped_reported);
// Called when the worker finds its queue empty: true means it may exit (the
// slot now has no worker; the next record starts another).
bool worker_may_exit(int slot);
// Discards everything queued (the extension is gone from the database) and
// frees the slot.
void worker_release(int slot);
// Marks the slot workerless (the worker is exiting).
void worker_detach(int slot);

}  // namespace agentauthz::pg::audit_queue
