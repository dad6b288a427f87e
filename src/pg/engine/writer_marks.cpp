#include "pg/engine/writer_marks.h"

#include "pg/common/guard.h"

extern "C" {
#include "access/transam.h"
#include "access/xact.h"
#include "access/xlog.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
}

namespace agentauthz::pg::writer_marks {

namespace {

// 256 KB: a slot is reused every 65,536 transaction ids, long after the
// snapshots that could still tell its xid apart were taken.
constexpr uint32 kSlots = 65536;
// The horizon is kept within this distance of the next transaction id, so
// that comparing with it stays meaningful across wraparound.
constexpr uint32 kHorizonLag = 1u << 29;

struct Shared {
  // Transactions that precede it count as marked; InvalidTransactionId
  // until the first mark or question outside recovery.
  pg_atomic_uint32 horizon;
  pg_atomic_uint32 slots[kSlots];
};

Shared* shared = nullptr;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;

TransactionId marked_xid = InvalidTransactionId;  // this transaction's, once marked
bool wrote = false;  // this transaction wrote the engine's tables, marks or not
uint64_t generation = 1;

void request_shmem() {
  if (previous_request_hook) previous_request_hook();
  RequestAddinShmemSpace(MAXALIGN(sizeof(Shared)));
}

void startup_shmem() {
  if (previous_startup_hook) previous_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  shared = static_cast<Shared*>(ShmemInitStruct("agentauthz writer marks", sizeof(Shared), &found));
  if (!found) {
    pg_atomic_init_u32(&shared->horizon, InvalidTransactionId);
    for (pg_atomic_uint32& slot : shared->slots) pg_atomic_init_u32(&slot, InvalidTransactionId);
  }
  LWLockRelease(AddinShmemInitLock);
}

}  // namespace

TransactionId current_horizon() {
  if (!available()) return InvalidTransactionId;
  TransactionId next = XidFromFullTransactionId(ReadNextFullTransactionId());
  uint32 current = pg_atomic_read_u32(&shared->horizon);
  if (current != InvalidTransactionId && next - current <= kHorizonLag * 2) return current;
  TransactionId wanted = current == InvalidTransactionId ? next : next - kHorizonLag;
  if (!TransactionIdIsNormal(wanted)) wanted = FirstNormalTransactionId;
  // Whoever wins, the horizon is one of these: each is safe.
  if (!pg_atomic_compare_exchange_u32(&shared->horizon, &current, wanted)) return current;
  return wanted;
}

namespace {

void xact_callback(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
    case XACT_EVENT_PREPARE:
      if (wrote) ++generation;
      wrote = false;
      marked_xid = InvalidTransactionId;
      break;
    default:
      break;
  }
}

// Rows a rolled back subtransaction wrote vanish from this backend's view.
void subxact_callback(SubXactEvent event, SubTransactionId, SubTransactionId, void*) {
  if (event == SUBXACT_EVENT_ABORT_SUB && wrote) ++generation;
}

}  // namespace

void register_hooks() {
  previous_request_hook = shmem_request_hook;
  shmem_request_hook = request_shmem;
  previous_startup_hook = shmem_startup_hook;
  shmem_startup_hook = startup_shmem;
}

bool available() { return shared != nullptr; }

void mark_current_transaction() {
  ++generation;
  wrote = true;
  if (!available()) return;
  TransactionId xid = GetTopTransactionId();
  if (xid == marked_xid) return;
  // Set the horizon first, should this be the server's first mark.
  if (pg_atomic_read_u32(&shared->horizon) == InvalidTransactionId) current_horizon();
  pg_atomic_uint32* slot = &shared->slots[xid % kSlots];
  uint32 seen = pg_atomic_read_u32(slot);
  // The slot keeps the newest xid marked in it; the exchange is a full
  // barrier, so the mark is in place before the transaction can commit.
  while (seen == InvalidTransactionId || TransactionIdPrecedes(seen, xid)) {
    if (pg_atomic_compare_exchange_u32(slot, &seen, xid)) break;
  }
  marked_xid = xid;
}

bool mark_if_writing() {
  if (!TransactionIdIsValid(GetTopTransactionIdIfAny())) return false;
  mark_current_transaction();
  return true;
}

bool may_have_written(TransactionId xid, TransactionId horizon) {
  if (!TransactionIdIsValid(horizon) || !TransactionIdIsNormal(xid) ||
      TransactionIdPrecedes(xid, horizon))
    return true;
  uint32 seen = pg_atomic_read_u32(&shared->slots[xid % kSlots]);
  return seen != InvalidTransactionId && TransactionIdFollowsOrEquals(seen, xid);
}

uint64_t writes_generation() { return generation; }

bool transaction_wrote() { return wrote; }

void register_callbacks() {
  RegisterXactCallback(xact_callback, nullptr);
  RegisterSubXactCallback(subxact_callback, nullptr);
}

}  // namespace agentauthz::pg::writer_marks
