#include "pg/audit_queue.h"

#include <cstring>

#include "core/error.h"

#include "pg/guard.h"
#include "pg/settings.h"

extern "C" {
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "storage/condition_variable.h"
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/syscache.h"
#include "utils/wait_event.h"
}

namespace agentauthz::pg::audit_queue {

namespace {

constexpr const char* kTranche = "agentauthz_audit";
// A worker registered but not attached after this long is presumed lost.
constexpr long kStartTimeoutMs = 10000;
constexpr uint32 kFrameHeader = 4;
// Backends wake the writer once the queue is this fraction full (1/4).
constexpr uint64 kWakeFraction = 4;

enum WorkerState : int { kNoWorker = 0, kStarting = 1, kRunning = 2 };

struct Slot {
  Oid database;
  int state;
  TimestampTz starting_since;
  int worker_pid;
  Latch* worker_latch;
  uint64 head;  // bytes ever queued
  uint64 tail;  // bytes ever written to the log
  int64 enqueued;
  int64 written;
  int64 dropped;
  int64 dropped_reported;
  ConditionVariable progress;  // broadcast whenever tail moves
};

// Writer transactions are remembered by xid modulo this, newest winning.
constexpr uint32 kWriterXids = 4096;

struct Shared {
  int slots;
  uint64 ring_size;
  pg_atomic_uint32 writer_xids[kWriterXids];
};

Shared* shared = nullptr;
Slot* slot_array = nullptr;
char* rings = nullptr;
LWLockPadded* locks = nullptr;  // one per slot, then one to claim slots
int my_slot = -1;

shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

uint64 ring_bytes() { return static_cast<uint64>(audit_queue_kb_setting) * 1024; }

Size slot_array_offset() { return MAXALIGN(sizeof(Shared)); }
Size rings_offset(int slots) { return slot_array_offset() + MAXALIGN(sizeof(Slot) * slots); }
Size shared_size() {
  return rings_offset(audit_databases_setting) + ring_bytes() * static_cast<uint64>(audit_databases_setting);
}

void request_shmem() {
  if (previous_request_hook) previous_request_hook();
  RequestAddinShmemSpace(shared_size());
  RequestNamedLWLockTranche(kTranche, audit_databases_setting + 1);
}

void startup_shmem() {
  if (previous_startup_hook) previous_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  char* base = static_cast<char*>(ShmemInitStruct("agentauthz audit queue", shared_size(), &found));
  shared = reinterpret_cast<Shared*>(base);
  slot_array = reinterpret_cast<Slot*>(base + slot_array_offset());
  rings = base + rings_offset(audit_databases_setting);
  if (!found) {
    shared->slots = audit_databases_setting;
    shared->ring_size = ring_bytes();
    for (pg_atomic_uint32& xid : shared->writer_xids) pg_atomic_init_u32(&xid, InvalidTransactionId);
    for (int i = 0; i < shared->slots; ++i) {
      Slot* s = &slot_array[i];
      memset(s, 0, sizeof(Slot));
      s->database = InvalidOid;
      ConditionVariableInit(&s->progress);
    }
  }
  locks = GetNamedLWLockTranche(kTranche);
  LWLockRelease(AddinShmemInitLock);
}

LWLock* slot_lock(int slot) { return &locks[slot].lock; }
LWLock* claim_lock() { return &locks[shared->slots].lock; }
char* ring_of(int slot) { return rings + shared->ring_size * static_cast<uint64>(slot); }

void ring_write(int slot, uint64 position, const char* data, size_t length) {
  char* ring = ring_of(slot);
  uint64 offset = position % shared->ring_size;
  size_t first = std::min<uint64>(length, shared->ring_size - offset);
  memcpy(ring + offset, data, first);
  memcpy(ring, data + first, length - first);
}

void ring_read(int slot, uint64 position, char* out, size_t length) {
  const char* ring = ring_of(slot);
  uint64 offset = position % shared->ring_size;
  size_t first = std::min<uint64>(length, shared->ring_size - offset);
  memcpy(out, ring + offset, first);
  memcpy(out + first, ring, length - first);
}

// Whether a database still exists (a slot of a dropped one can be reused).
bool database_exists(Oid database) {
  return SearchSysCacheExists1(DATABASEOID, ObjectIdGetDatum(database));
}

// Whether a slot can be handed to another database: nothing queued, no
// writer. Its counters start again from zero.
// Under the slot's lock: nothing queued, and every drop reported.
bool drained(const Slot* s) { return s->head == s->tail && s->dropped == s->dropped_reported; }

bool idle_slot(int slot) {
  Slot* s = &slot_array[slot];
  LWLockAcquire(slot_lock(slot), LW_SHARED);
  bool idle = drained(s) && s->state == kNoWorker;
  LWLockRelease(slot_lock(slot));
  return idle;
}

// The slot serving the current database, claimed if need be (a free one,
// else an idle one, a dropped database's first); -1 if every slot is busy
// serving another database.
int find_slot() {
  if (my_slot >= 0 && slot_array[my_slot].database == MyDatabaseId) return my_slot;
  my_slot = -1;
  LWLockAcquire(claim_lock(), LW_EXCLUSIVE);
  int free_slot = -1, dropped_db_slot = -1, idle = -1;
  for (int i = 0; i < shared->slots && my_slot < 0; ++i) {
    Oid database = slot_array[i].database;
    if (database == MyDatabaseId) {
      my_slot = i;
    } else if (database == InvalidOid) {
      if (free_slot < 0) free_slot = i;
    } else if (dropped_db_slot < 0 && idle_slot(i)) {
      if (!database_exists(database)) dropped_db_slot = i;
      else if (idle < 0) idle = i;
    }
  }
  int chosen = free_slot >= 0 ? free_slot : dropped_db_slot >= 0 ? dropped_db_slot : idle;
  if (my_slot < 0 && chosen >= 0) {
    Slot* s = &slot_array[chosen];
    LWLockAcquire(slot_lock(chosen), LW_EXCLUSIVE);
    if (s->database == InvalidOid || (drained(s) && s->state == kNoWorker)) {
      s->database = MyDatabaseId;
      s->head = s->tail = 0;
      s->enqueued = s->written = s->dropped = s->dropped_reported = 0;
      s->state = kNoWorker;
      my_slot = chosen;
    }
    LWLockRelease(slot_lock(chosen));
  }
  LWLockRelease(claim_lock());
  return my_slot;
}

bool start_worker(int slot) {
  BackgroundWorker worker;
  memset(&worker, 0, sizeof worker);
  worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
  worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
  worker.bgw_restart_time = BGW_NEVER_RESTART;  // the next record starts a new one
  snprintf(worker.bgw_library_name, BGW_MAXLEN, "agentauthz");
  snprintf(worker.bgw_function_name, BGW_MAXLEN, "agentauthz_audit_worker_main");
  snprintf(worker.bgw_name, BGW_MAXLEN, "agentauthz audit writer for database %u", MyDatabaseId);
  snprintf(worker.bgw_type, BGW_MAXLEN, "agentauthz audit writer");
  worker.bgw_main_arg = Int32GetDatum(slot);
  worker.bgw_notify_pid = 0;
  BackgroundWorkerHandle* handle = nullptr;
  return RegisterDynamicBackgroundWorker(&worker, &handle);
}

// Under the slot's lock: whether this caller should start a worker.
bool claim_worker_start(Slot* s) {
  bool lost = s->state == kStarting &&
              TimestampDifferenceExceeds(s->starting_since, GetCurrentTimestamp(), kStartTimeoutMs);
  if (s->state != kNoWorker && !lost) return false;
  s->state = kStarting;
  s->starting_since = GetCurrentTimestamp();
  return true;
}

struct EnqueueState {
  const char* bytes;
  size_t size;
  size_t offset;
  long* wait_ms;
  int64 records_left;
  int64 dropped;
  bool no_slot;
};

// Copies as many whole records as fit; returns whether a worker must be started.
bool copy_records(int slot, EnqueueState* st, Latch** latch, bool* lost_slot) {
  Slot* s = &slot_array[slot];
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  if (s->database != MyDatabaseId) {  // handed to another database meanwhile
    LWLockRelease(slot_lock(slot));
    *lost_slot = true;
    *latch = nullptr;
    return false;
  }
  uint64 room = shared->ring_size - (s->head - s->tail);
  while (st->offset < st->size) {
    uint32 length;
    memcpy(&length, st->bytes + st->offset, sizeof length);
    size_t framed = kFrameHeader + length;
    if (framed > shared->ring_size) {  // can never fit: counted, not waited for
      s->dropped++;
      st->dropped++;
    } else if (framed > room) {
      break;
    } else {
      ring_write(slot, s->head, st->bytes + st->offset, framed);
      s->head += framed;
      s->enqueued++;
      room -= framed;
    }
    st->offset += framed;
    st->records_left--;
  }
  bool start = claim_worker_start(s);
  // The writer polls every few milliseconds; it is woken only when the
  // queue fills up (a wakeup per statement would cost both sides more).
  bool filling = (s->head - s->tail) * kWakeFraction >= shared->ring_size;
  *latch = filling || st->offset < st->size ? s->worker_latch : nullptr;
  LWLockRelease(slot_lock(slot));
  return start;
}

void enqueue_in_postgres(EnqueueState* st) {
  int slot = find_slot();
  if (slot < 0) {
    st->no_slot = true;
    return;
  }
  Slot* s = &slot_array[slot];
  for (;;) {
    Latch* latch = nullptr;
    bool lost_slot = false;
    bool start = copy_records(slot, st, &latch, &lost_slot);
    if (lost_slot) {
      slot = find_slot();
      if (slot < 0) {
        st->no_slot = true;
        return;
      }
      s = &slot_array[slot];
      continue;
    }
    if (start) {
      if (!start_worker(slot)) {
        LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
        s->state = kNoWorker;
        LWLockRelease(slot_lock(slot));
        ereport(WARNING, (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
                          errmsg("agentauthz could not start its audit writer"),
                          errhint("Raise max_worker_processes; records wait in the queue meanwhile.")));
      }
    }
    if (latch) SetLatch(latch);
    if (st->offset >= st->size) return;
    if (*st->wait_ms <= 0) {
      LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
      s->dropped += st->records_left;
      LWLockRelease(slot_lock(slot));
      st->dropped += st->records_left;
      st->records_left = 0;
      st->offset = st->size;
      return;
    }
    long nap = std::min<long>(*st->wait_ms, 50);
    TimestampTz before = GetCurrentTimestamp();
    ConditionVariablePrepareToSleep(&s->progress);
    ConditionVariableTimedSleep(&s->progress, nap, PG_WAIT_EXTENSION);
    ConditionVariableCancelSleep();
    long waited = static_cast<long>((GetCurrentTimestamp() - before) / 1000);
    *st->wait_ms -= std::max<long>(waited, 1);
  }
}

}  // namespace

void Batch::add(const core::AuditRecord& record) {
  size_t frame = bytes.size();
  bytes.append(kFrameHeader, '\0');
  core::encode_audit_record(record, &bytes);
  uint32 length = static_cast<uint32>(bytes.size() - frame - kFrameHeader);
  memcpy(&bytes[frame], &length, sizeof length);
  ++records;
}

std::vector<core::AuditRecord> Batch::decode() const {
  std::vector<core::AuditRecord> out;
  size_t at = 0;
  while (at + kFrameHeader <= bytes.size()) {
    uint32 length;
    memcpy(&length, bytes.data() + at, sizeof length);
    at += kFrameHeader;
    out.emplace_back();
    if (core::decode_audit_record(std::string_view(bytes).substr(at, length), &out.back()) != length)
      throw core::Error(core::ErrorKind::Internal, "a malformed record in the audit queue");
    at += length;
  }
  return out;
}

void register_hooks() {
  previous_request_hook = shmem_request_hook;
  shmem_request_hook = request_shmem;
  previous_startup_hook = shmem_startup_hook;
  shmem_startup_hook = startup_shmem;
}

bool available() { return shared != nullptr; }

Outcome enqueue(Batch& batch, long* wait_ms, int64_t* dropped) {
  EnqueueState st{batch.bytes.data(), batch.bytes.size(), 0, wait_ms, batch.records, 0, false};
  try {
    pg_guard([&] { enqueue_in_postgres(&st); });
  } catch (...) {
    // Cancelled while waiting for room: what is already queued (or
    // dropped) must not be handed over a second time.
    batch.bytes.erase(0, st.offset);
    batch.records = st.records_left;
    *dropped = st.dropped;
    throw;
  }
  *dropped = st.dropped;
  if (st.no_slot) return Outcome::NoSlot;
  batch.clear();
  return Outcome::Queued;
}

bool wait_written(long timeout_ms) {
  bool done = false;
  pg_guard([&] {
    int slot = find_slot();
    if (slot < 0) {
      done = true;
      return;
    }
    Slot* s = &slot_array[slot];
    LWLockAcquire(slot_lock(slot), LW_SHARED);
    uint64 target = s->head;
    LWLockRelease(slot_lock(slot));
    TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
    ConditionVariablePrepareToSleep(&s->progress);
    for (;;) {
      LWLockAcquire(slot_lock(slot), LW_SHARED);
      done = s->tail >= target || s->database != MyDatabaseId;
      Latch* latch = s->worker_latch;
      LWLockRelease(slot_lock(slot));
      if (done || GetCurrentTimestamp() >= deadline) break;
      if (latch) SetLatch(latch);
      ConditionVariableTimedSleep(&s->progress, 50, PG_WAIT_EXTENSION);
    }
    ConditionVariableCancelSleep();
  });
  return done;
}

std::vector<SlotStats> stats() {
  std::vector<SlotStats> out;
  if (!available()) return out;
  for (int i = 0; i < shared->slots; ++i) {
    SlotStats st;
    pg_guard([&] {
      Slot* s = &slot_array[i];
      LWLockAcquire(slot_lock(i), LW_SHARED);
      st.database = s->database;
      st.worker_pid = s->state == kRunning ? s->worker_pid : 0;
      st.queued_bytes = static_cast<int64_t>(s->head - s->tail);
      st.capacity_bytes = static_cast<int64_t>(shared->ring_size);
      st.enqueued = s->enqueued;
      st.written = s->written;
      st.dropped = s->dropped;
      LWLockRelease(slot_lock(i));
    });
    if (st.database != InvalidOid) out.push_back(st);
  }
  return out;
}

void note_writer_transaction(TransactionId xid) {
  if (!available() || !TransactionIdIsNormal(xid)) return;
  pg_atomic_write_u32(&shared->writer_xids[xid % kWriterXids], xid);
  pg_write_barrier();  // before the commit that makes it visible
}

bool is_writer_transaction(TransactionId xid) {
  return available() && TransactionIdIsNormal(xid) &&
         pg_atomic_read_u32(&shared->writer_xids[xid % kWriterXids]) == xid;
}

// The worker's side runs in plain PostgreSQL frames (audit_worker.cpp).

Oid worker_attach(int slot) {
  Slot* s = &slot_array[slot];
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  Oid database = s->database;
  if (s->state == kRunning && s->worker_pid != MyProcPid) {
    database = InvalidOid;  // another writer already serves it
  } else if (database != InvalidOid) {
    s->state = kRunning;
    s->worker_pid = MyProcPid;
    s->worker_latch = MyLatch;
  }
  LWLockRelease(slot_lock(slot));
  return database;
}

void worker_peek(int slot, size_t max_bytes, Batch* out, int64_t* dropped_unreported) {
  Slot* s = &slot_array[slot];
  out->clear();
  // Measures the whole frames to take under the lock, allocates without it
  // (an allocation may fail), then copies under it again. Only this worker
  // moves the tail, and backends write only past the head, so the frames
  // measured stay where they are.
  LWLockAcquire(slot_lock(slot), LW_SHARED);
  uint64 tail = s->tail;
  uint64 position = tail;
  int64_t records = 0;
  while (position < s->head && position - tail < max_bytes) {
    uint32 length;
    ring_read(slot, position, reinterpret_cast<char*>(&length), sizeof length);
    position += kFrameHeader + length;
    ++records;
  }
  *dropped_unreported = s->dropped - s->dropped_reported;
  LWLockRelease(slot_lock(slot));
  out->bytes.resize(position - tail);
  LWLockAcquire(slot_lock(slot), LW_SHARED);
  ring_read(slot, tail, out->bytes.data(), out->bytes.size());
  LWLockRelease(slot_lock(slot));
  out->records = records;
}

void worker_consume(int slot, size_t bytes, int64_t records, int64_t dropped_reported) {
  Slot* s = &slot_array[slot];
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  s->tail += bytes;
  s->written += records;
  s->dropped_reported += dropped_reported;
  LWLockRelease(slot_lock(slot));
  ConditionVariableBroadcast(&s->progress);
}

bool worker_may_exit(int slot) {
  Slot* s = &slot_array[slot];
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  bool idle = drained(s);
  if (idle) {
    s->state = kNoWorker;
    s->worker_pid = 0;
    s->worker_latch = nullptr;
  }
  LWLockRelease(slot_lock(slot));
  return idle;
}

void worker_release(int slot) {
  Slot* s = &slot_array[slot];
  LWLockAcquire(claim_lock(), LW_EXCLUSIVE);
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  s->dropped += s->enqueued - s->written;
  s->tail = s->head;
  s->state = kNoWorker;
  s->worker_pid = 0;
  s->worker_latch = nullptr;
  s->database = InvalidOid;
  LWLockRelease(slot_lock(slot));
  LWLockRelease(claim_lock());
  ConditionVariableBroadcast(&s->progress);
}

void worker_detach(int slot) {
  Slot* s = &slot_array[slot];
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  if (s->worker_pid == MyProcPid) {
    s->state = kNoWorker;
    s->worker_pid = 0;
    s->worker_latch = nullptr;
  }
  LWLockRelease(slot_lock(slot));
  ConditionVariableBroadcast(&s->progress);
}

}  // namespace agentauthz::pg::audit_queue
