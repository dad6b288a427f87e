#include "pg/audit/queue.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"

#include "pg/common/guard.h"
#include "pg/settings.h"

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "port/atomics.h"
#include "postmaster/bgworker.h"
#include "storage/condition_variable.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/wait_event.h"
}

namespace agentauthz::pg::audit_queue {

namespace {

constexpr const char* kTranche = "agentauthz_audit";
constexpr uint32 kFrameHeader = 8;  // length, owner
// Backends wake the writer once the queue is this fraction full (1/4).
constexpr uint64 kWakeFraction = 4;
// How often a waiting backend looks again (the writer also signals).
constexpr long kNapMs = 50;

enum WorkerState : int { kNoWorker = 0, kRunning = 2 };

struct Slot {
  Oid database;
  int state;
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

// A writer process: its latch while it waits for a ring, the ring it serves.
struct Writer {
  int pid;
  Latch* latch;
  int slot;  // -1: free
};

struct Shared {
  int slots;
  int writers;
  int owners;         // entries of the per-backend byte counts
  uint32 next_claim;  // where writers start looking, so that no ring starves
  uint64 ring_size;
};

Shared* shared = nullptr;
Slot* slot_array = nullptr;
Writer* writer_array = nullptr;
pg_atomic_uint64* owner_bytes =
    nullptr;  // bytes each backend (PGPROC number) has queued, not yet written
char* rings = nullptr;
LWLockPadded* locks = nullptr;  // one per slot, then one to claim slots and writers
int my_slot = -1;

shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

uint64 ring_bytes() { return static_cast<uint64>(audit_queue_kb_setting) * 1024; }
int owner_count() { return MaxBackends + NUM_AUXILIARY_PROCS; }

Size slot_array_offset() { return MAXALIGN(sizeof(Shared)); }
Size writer_array_offset() {
  return slot_array_offset() + MAXALIGN(sizeof(Slot) * audit_databases_setting);
}
Size owner_bytes_offset() {
  return writer_array_offset() + MAXALIGN(sizeof(Writer) * audit_writers_setting);
}
Size rings_offset() {
  return owner_bytes_offset() +
         MAXALIGN(sizeof(pg_atomic_uint64) * static_cast<Size>(owner_count()));
}
Size shared_size() {
  return rings_offset() + ring_bytes() * static_cast<uint64>(audit_databases_setting);
}

void request_shmem() {
  if (previous_request_hook) previous_request_hook();
  RequestAddinShmemSpace(shared_size());
  RequestNamedLWLockTranche(kTranche, audit_databases_setting + 1);
}

// Creates or attaches the queue's shared memory and initializes it on first creation.
void startup_shmem() {
  if (previous_startup_hook) previous_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  char* base = static_cast<char*>(ShmemInitStruct("agentauthz audit queue", shared_size(), &found));
  shared = reinterpret_cast<Shared*>(base);
  slot_array = reinterpret_cast<Slot*>(base + slot_array_offset());
  writer_array = reinterpret_cast<Writer*>(base + writer_array_offset());
  owner_bytes = reinterpret_cast<pg_atomic_uint64*>(base + owner_bytes_offset());
  rings = base + rings_offset();
  if (!found) {
    shared->slots = audit_databases_setting;
    shared->writers = audit_writers_setting;
    shared->owners = owner_count();
    shared->next_claim = 0;
    shared->ring_size = ring_bytes();
    for (int i = 0; i < shared->slots; ++i) {
      Slot* s = &slot_array[i];
      memset(s, 0, sizeof(Slot));
      s->database = InvalidOid;
      ConditionVariableInit(&s->progress);
    }
    for (int i = 0; i < shared->writers; ++i) writer_array[i] = Writer{0, nullptr, -1};
    for (int i = 0; i < shared->owners; ++i) pg_atomic_init_u64(&owner_bytes[i], 0);
  }
  locks = GetNamedLWLockTranche(kTranche);
  LWLockRelease(AddinShmemInitLock);
}

// The writers are static background workers: registered with the
// postmaster at start, they hold their places whatever else runs (parallel
// queries, other extensions' workers), and are started again after each
// exit (a writer leaves its database when the ring is quiet).
void register_writers() {
  for (int i = 0; i < audit_writers_setting; ++i) {
    BackgroundWorker worker;
    memset(&worker, 0, sizeof worker);
    worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
    worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
    worker.bgw_restart_time = 1;
    snprintf(worker.bgw_library_name, BGW_MAXLEN, "agentauthz");
    snprintf(worker.bgw_function_name, BGW_MAXLEN, "agentauthz_audit_worker_main");
    snprintf(worker.bgw_name, BGW_MAXLEN, "agentauthz audit writer %d", i + 1);
    snprintf(worker.bgw_type, BGW_MAXLEN, "agentauthz audit writer");
    worker.bgw_main_arg = Int32GetDatum(i);
    RegisterBackgroundWorker(&worker);
  }
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

struct FrameHeader {
  uint32 length;
  int32 owner;
};

FrameHeader read_header(const char* bytes) {
  FrameHeader header;
  memcpy(&header.length, bytes, sizeof header.length);
  memcpy(&header.owner, bytes + sizeof header.length, sizeof header.owner);
  return header;
}

// Credits the backend that queued a frame: written (or discarded), it
// counts against nobody's share any more. Returns the frame's size.
uint64 credit_owner(const FrameHeader& header) {
  uint64 framed = kFrameHeader + header.length;
  if (header.owner >= 0 && header.owner < shared->owners)
    pg_atomic_fetch_sub_u64(&owner_bytes[header.owner], static_cast<int64>(framed));
  return framed;
}

// Credits the backends whose framed records `bytes` holds.
void credit_owners(const char* bytes, size_t size) {
  for (size_t at = 0; at + kFrameHeader <= size;) at += credit_owner(read_header(bytes + at));
}

int my_owner() {
  return MyProc != nullptr && MyProc->pgprocno >= 0 && MyProc->pgprocno < shared->owners
             ? MyProc->pgprocno
             : -1;
}

// Under the slot's lock: nothing queued, and every drop reported.
bool drained(const Slot* s) { return s->head == s->tail && s->dropped == s->dropped_reported; }

// The slot serving the current database, claimed if need be (a free one,
// else one that is drained and has no writer); -1 if every slot is busy
// serving another database. A drained slot of a dropped database is reused
// the same way.
int find_slot() {
  if (my_slot >= 0 && slot_array[my_slot].database == MyDatabaseId) return my_slot;
  my_slot = -1;
  LWLockAcquire(claim_lock(), LW_EXCLUSIVE);
  int chosen = -1;
  for (int i = 0; i < shared->slots && my_slot < 0; ++i) {
    Slot* s = &slot_array[i];
    LWLockAcquire(slot_lock(i), LW_SHARED);
    Oid database = s->database;
    bool reusable = database == InvalidOid || (drained(s) && s->state == kNoWorker);
    LWLockRelease(slot_lock(i));
    if (database == MyDatabaseId)
      my_slot = i;
    else if (reusable && (chosen < 0 || database == InvalidOid))
      chosen = i;
  }
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

// Wakes the free writers: one of them claims the ring that has none.
void wake_free_writers() {
  LWLockAcquire(claim_lock(), LW_SHARED);
  for (int i = 0; i < shared->writers; ++i)
    if (writer_array[i].slot < 0 && writer_array[i].latch != nullptr)
      SetLatch(writer_array[i].latch);
  LWLockRelease(claim_lock());
}

struct EnqueueState {
  const char* bytes;
  size_t size;
  size_t offset;  // what is queued so far
  int64 records_left;
};

enum class CopyResult { Progress, Blocked, TooLarge, LostSlot };

// Copies as many whole records as fit in the ring and in this backend's
// share of it; says whom to wake.
CopyResult copy_records(int slot, EnqueueState* st, Latch** writer_latch, bool* needs_writer,
                        uint64* tail) {
  Slot* s = &slot_array[slot];
  int owner = my_owner();
  uint64 share = shared->ring_size * static_cast<uint64>(audit_backend_share_setting) / 100;
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  if (s->database != MyDatabaseId) {  // handed to another database meanwhile
    LWLockRelease(slot_lock(slot));
    return CopyResult::LostSlot;
  }
  uint64 room = shared->ring_size - (s->head - s->tail);
  uint64 mine = owner >= 0 ? pg_atomic_read_u64(&owner_bytes[owner]) : 0;
  while (st->offset < st->size) {
    FrameHeader header = read_header(st->bytes + st->offset);
    uint64 framed = kFrameHeader + header.length;
    if (framed > shared->ring_size) {  // can never fit
      LWLockRelease(slot_lock(slot));
      return CopyResult::TooLarge;
    }
    // A backend with nothing queued may always queue one record that fits.
    if (framed > room || (mine > 0 && mine + framed > share)) break;
    ring_write(slot, s->head, st->bytes + st->offset, framed);
    s->head += framed;
    s->enqueued++;
    room -= framed;
    mine += framed;
    if (owner >= 0) pg_atomic_fetch_add_u64(&owner_bytes[owner], static_cast<int64>(framed));
    st->offset += framed;
    st->records_left--;
  }
  // The writer polls every few milliseconds; it is woken only when the
  // queue fills up or a backend waits (a wakeup per statement would cost
  // both sides more).
  bool filling = (s->head - s->tail) * kWakeFraction >= shared->ring_size;
  *writer_latch = filling || st->offset < st->size ? s->worker_latch : nullptr;
  *needs_writer = s->state == kNoWorker && s->head != s->tail;
  *tail = s->tail;
  LWLockRelease(slot_lock(slot));
  return st->offset < st->size ? CopyResult::Blocked : CopyResult::Progress;
}

[[noreturn]] void refuse_statement(long waited_ms) {
  ereport(
      ERROR,
      (errcode(ERRCODE_CONFIGURATION_LIMIT_EXCEEDED),
       errmsg(
           "agentauthz cannot record this statement's decisions: the audit writer made no progress "
           "for %ld ms",
           waited_ms),
       errdetail("Decisions that cannot be recorded are not made: the statement fails instead."),
       errhint(
           "An audit writer must be running (agentauthz in shared_preload_libraries, "
           "max_worker_processes covering agentauthz.audit_writers); agentauthz.audit_queue_size, "
           "agentauthz.audit_databases and agentauthz.audit_queue_wait bound the queue.")));
}

// Queues st's records, waiting while the writer makes progress; false when
// it made none for `patience` ms (or a record can never fit).
bool enqueue_in_postgres(EnqueueState* st, long patience) {
  TimestampTz last_progress = GetCurrentTimestamp();
  uint64 last_tail = 0;
  bool have_tail = false;
  for (;;) {
    int slot = find_slot();
    CopyResult result = CopyResult::Blocked;
    Slot* s = slot >= 0 ? &slot_array[slot] : nullptr;
    if (s != nullptr) {
      Latch* writer_latch = nullptr;
      bool needs_writer = false;
      uint64 tail = 0;
      size_t offset_before = st->offset;
      result = copy_records(slot, st, &writer_latch, &needs_writer, &tail);
      if (result == CopyResult::LostSlot) continue;
      if (result == CopyResult::TooLarge) return false;
      if (needs_writer) wake_free_writers();
      if (writer_latch) SetLatch(writer_latch);
      if (result == CopyResult::Progress) return true;
      if (st->offset != offset_before || !have_tail || tail != last_tail) {
        last_progress = GetCurrentTimestamp();
        last_tail = tail;
        have_tail = true;
      }
    }
    TimestampTz now = GetCurrentTimestamp();
    if (TimestampDifferenceExceeds(last_progress, now, static_cast<int>(patience))) return false;
    if (s != nullptr) {
      ConditionVariablePrepareToSleep(&s->progress);
      ConditionVariableTimedSleep(&s->progress, kNapMs, PG_WAIT_EXTENSION);
      ConditionVariableCancelSleep();
    } else {  // every ring serves another database: wait for one to drain
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kNapMs,
                      PG_WAIT_EXTENSION);
      ResetLatch(MyLatch);
      CHECK_FOR_INTERRUPTS();
    }
  }
}

}  // namespace

void Batch::add(const core::AuditRecord& record) {
  size_t frame = bytes.size();
  bytes.append(kFrameHeader, '\0');
  core::encode_audit_record(record, &bytes);
  auto length = static_cast<uint32>(bytes.size() - frame - kFrameHeader);
  int32 owner = MyProc != nullptr ? MyProc->pgprocno : -1;
  memcpy(&bytes[frame], &length, sizeof length);
  memcpy(&bytes[frame + sizeof length], &owner, sizeof owner);
  ++records;
}

std::vector<core::AuditRecord> Batch::decode() const {
  std::vector<core::AuditRecord> out;
  size_t at = 0;
  while (at + kFrameHeader <= bytes.size()) {
    FrameHeader header = read_header(bytes.data() + at);
    at += kFrameHeader;
    out.emplace_back();
    if (header.length > bytes.size() - at ||
        core::decode_audit_record(std::string_view(bytes).substr(at, header.length), &out.back()) !=
            header.length)
      throw core::Error(core::ErrorKind::Internal, "a malformed record in the audit queue");
    at += header.length;
  }
  return out;
}

void register_hooks() {
  previous_request_hook = shmem_request_hook;
  shmem_request_hook = request_shmem;
  previous_startup_hook = shmem_startup_hook;
  shmem_startup_hook = startup_shmem;
  register_writers();
}

bool available() { return shared != nullptr; }

// Queues a batch for the database's writer, waiting up to `patience_ms` for room.
bool enqueue(Batch& batch, Failure on_failure, long patience_ms) {
  EnqueueState st{batch.bytes.data(), batch.bytes.size(), 0, batch.records};
  bool queued = false;
  long patience = patience_ms;
  try {
    pg_guard([&] {
      queued = enqueue_in_postgres(&st, patience);
      if (!queued && on_failure == Failure::Raise) refuse_statement(patience);
    });
  } catch (...) {
    // Refused, or cancelled while waiting for room: what is already queued
    // must not be handed over a second time.
    batch.bytes.erase(0, st.offset);
    batch.records = st.records_left;
    throw;
  }
  batch.bytes.erase(0, st.offset);
  batch.records = st.records_left;
  return queued;
}

// Waits until the writer has written everything queued so far in this database.
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
    bool needs_writer = s->state == kNoWorker && s->head != s->tail;
    LWLockRelease(slot_lock(slot));
    if (needs_writer) wake_free_writers();
    TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
    ConditionVariablePrepareToSleep(&s->progress);
    for (;;) {
      LWLockAcquire(slot_lock(slot), LW_SHARED);
      done = s->tail >= target || s->database != MyDatabaseId;
      Latch* latch = s->worker_latch;
      LWLockRelease(slot_lock(slot));
      if (done || GetCurrentTimestamp() >= deadline) break;
      if (latch) SetLatch(latch);
      ConditionVariableTimedSleep(&s->progress, kNapMs, PG_WAIT_EXTENSION);
    }
    ConditionVariableCancelSleep();
  });
  return done;
}

// Returns each slot's counters, read under its lock.
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

// The writer's side runs in plain PostgreSQL frames (pg/audit/worker.cpp).

// Registers the calling writer and claims a slot with work and no writer; -1 when none.
int writer_claim(int writer) {
  if (writer < 0 || writer >= shared->writers) return -1;
  LWLockAcquire(claim_lock(), LW_EXCLUSIVE);
  Writer* w = &writer_array[writer];
  w->pid = MyProcPid;
  w->latch = MyLatch;
  w->slot = -1;
  uint32 start = shared->next_claim++;
  for (int n = 0; n < shared->slots && w->slot < 0; ++n) {
    int i = static_cast<int>((start + static_cast<uint32>(n)) % static_cast<uint32>(shared->slots));
    Slot* s = &slot_array[i];
    LWLockAcquire(slot_lock(i), LW_EXCLUSIVE);
    if (s->database != InvalidOid && s->state == kNoWorker && !drained(s)) {
      s->state = kRunning;
      s->worker_pid = MyProcPid;
      s->worker_latch = MyLatch;
      w->slot = i;
    }
    LWLockRelease(slot_lock(i));
  }
  LWLockRelease(claim_lock());
  return w->slot;
}

Oid slot_database(int slot) {
  LWLockAcquire(slot_lock(slot), LW_SHARED);
  Oid database = slot_array[slot].database;
  LWLockRelease(slot_lock(slot));
  return database;
}

// Unregisters the calling writer and frees its slot for another.
void writer_detach(int writer, bool connected) {
  if (!available() || writer < 0 || writer >= shared->writers) return;
  LWLockAcquire(claim_lock(), LW_EXCLUSIVE);
  Writer* w = &writer_array[writer];
  int slot = w->pid == MyProcPid ? w->slot : -1;
  if (w->pid == MyProcPid) *w = Writer{0, nullptr, -1};
  LWLockRelease(claim_lock());
  if (slot < 0) return;
  Slot* s = &slot_array[slot];
  if (!connected) {
    worker_release(slot);
    return;
  }
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  if (s->worker_pid == MyProcPid) {
    s->state = kNoWorker;
    s->worker_pid = 0;
    s->worker_latch = nullptr;
  }
  bool waiting = !drained(s);
  LWLockRelease(slot_lock(slot));
  ConditionVariableBroadcast(&s->progress);
  if (waiting) wake_free_writers();
}

// Whether another slot has work that no free writer can take.
bool others_waiting(int slot) {
  bool free_writer = false;
  LWLockAcquire(claim_lock(), LW_SHARED);
  for (int i = 0; i < shared->writers; ++i)
    free_writer |= writer_array[i].pid != 0 && writer_array[i].slot < 0;
  LWLockRelease(claim_lock());
  if (free_writer) return false;
  bool waiting = false;
  for (int i = 0; i < shared->slots && !waiting; ++i) {
    if (i == slot) continue;
    Slot* s = &slot_array[i];
    LWLockAcquire(slot_lock(i), LW_SHARED);
    waiting = s->database != InvalidOid && s->state == kNoWorker && !drained(s);
    LWLockRelease(slot_lock(i));
  }
  return waiting;
}

// Copies up to `max_bytes` of whole frames from the slot's tail, leaving them queued.
void worker_peek(int slot, size_t max_bytes, Batch* out, int64_t* dropped_unreported) {
  Slot* s = &slot_array[slot];
  out->clear();
  // Measures the whole frames to take under the lock, allocates without it
  // (an allocation may fail), then copies under it again. Only this writer
  // moves the tail, and backends write only past the head, so the frames
  // measured stay where they are.
  LWLockAcquire(slot_lock(slot), LW_SHARED);
  uint64 tail = s->tail;
  uint64 position = tail;
  int64_t records = 0;
  while (position < s->head && position - tail < max_bytes) {
    char header[kFrameHeader];
    ring_read(slot, position, header, kFrameHeader);
    position += kFrameHeader + read_header(header).length;
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

void worker_consume(int slot, const Batch& written, int64_t dropped_reported) {
  Slot* s = &slot_array[slot];
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  s->tail += written.bytes.size();
  s->written += written.records;
  s->dropped_reported += dropped_reported;
  credit_owners(written.bytes.data(), written.bytes.size());
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

// Discards a slot's queue (its database or extension is gone) and frees the slot.
void worker_release(int slot) {
  Slot* s = &slot_array[slot];
  LWLockAcquire(claim_lock(), LW_EXCLUSIVE);
  LWLockAcquire(slot_lock(slot), LW_EXCLUSIVE);
  // What is discarded counts against nobody's share any more.
  for (uint64 position = s->tail; position < s->head;) {
    char header[kFrameHeader];
    ring_read(slot, position, header, kFrameHeader);
    position += credit_owner(read_header(header));
  }
  s->dropped += s->enqueued - s->written;
  s->tail = s->head;
  s->state = kNoWorker;
  s->worker_pid = 0;
  s->worker_latch = nullptr;
  s->database = InvalidOid;
  for (int i = 0; i < shared->writers; ++i)
    if (writer_array[i].slot == slot) writer_array[i].slot = -1;
  LWLockRelease(slot_lock(slot));
  LWLockRelease(claim_lock());
  ConditionVariableBroadcast(&s->progress);
}

}  // namespace agentauthz::pg::audit_queue
