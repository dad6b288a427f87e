#include "pg/engine/visible_state.h"

#include <algorithm>
#include <vector>

#include "pg/audit/queue.h"
#include "pg/common/guard.h"

namespace agentauthz::pg {

namespace {

struct View {
  bool valid = false;
  LocalTransactionId lxid = InvalidLocalTransactionId;
  bool had_xid = false;
  CommandId curcid = InvalidCommandId;
  TransactionId xmin = InvalidTransactionId;
  TransactionId xmax = InvalidTransactionId;
  bool suboverflowed = false;
  bool recovery = false;
  std::vector<TransactionId> xip;     // sorted
  std::vector<TransactionId> subxip;  // sorted
  uint64 tuples_generation = 0;
  uint64 catalog_generation = 0;
  TimestampTz now = 0;
};

View last;
TimestampTz valid_until = DT_NOEND;
uint64_t epoch = 1;

View capture(Snapshot snapshot, TimestampTz now, uint64 tuples_generation,
             uint64 catalog_generation) {
  View view;
  view.valid = snapshot->snapshot_type == SNAPSHOT_MVCC;
  view.lxid = MyProc->lxid;
  view.had_xid = TransactionIdIsValid(GetTopTransactionIdIfAny());
  view.curcid = snapshot->curcid;
  view.xmin = snapshot->xmin;
  view.xmax = snapshot->xmax;
  view.suboverflowed = snapshot->suboverflowed;
  view.recovery = snapshot->takenDuringRecovery;
  view.xip.assign(snapshot->xip, snapshot->xip + snapshot->xcnt);
  std::sort(view.xip.begin(), view.xip.end());
  if (!snapshot->suboverflowed || snapshot->takenDuringRecovery) {
    view.subxip.assign(snapshot->subxip, snapshot->subxip + snapshot->subxcnt);
    std::sort(view.subxip.begin(), view.subxip.end());
  }
  view.tuples_generation = tuples_generation;
  view.catalog_generation = catalog_generation;
  view.now = now;
  return view;
}

// Whether `view` treats `xid` as not yet committed (in progress or future).
bool in_progress(const View& view, TransactionId xid) {
  if (TransactionIdPrecedes(xid, view.xmin)) return false;
  if (!TransactionIdPrecedes(xid, view.xmax)) return true;
  return std::binary_search(view.xip.begin(), view.xip.end(), xid) ||
         std::binary_search(view.subxip.begin(), view.subxip.end(), xid);
}

// At most this many transaction ids are examined between two snapshots.
constexpr uint32 kMaxXidsExamined = 1024;

// Whether two snapshots classify differently only transactions that
// cannot change what the engine reads: audit writers' (they write only the
// audit tables) and aborted ones. Agents' statements keep their caches
// while the audit log is written.
bool differ_only_by_writers(const View& a, const View& b) {
  if (a.suboverflowed || b.suboverflowed || a.recovery || b.recovery) return false;
  TransactionId low = TransactionIdPrecedes(a.xmin, b.xmin) ? a.xmin : b.xmin;
  TransactionId high = TransactionIdPrecedes(a.xmax, b.xmax) ? b.xmax : a.xmax;
  if (!TransactionIdIsNormal(low) || high - low > kMaxXidsExamined) return false;
  for (TransactionId xid = low; xid != high;) {
    if (in_progress(a, xid) != in_progress(b, xid) && !audit_queue::is_writer_transaction(xid)) {
      bool committed = true;
      pg_guard([&] { committed = TransactionIdDidCommit(xid); });
      if (committed) return false;
    }
    TransactionIdAdvance(xid);
  }
  return true;
}

bool same_view(const View& a, const View& b) {
  if (!a.valid || !b.valid || a.tuples_generation != b.tuples_generation ||
      a.catalog_generation != b.catalog_generation || a.suboverflowed != b.suboverflowed ||
      a.recovery != b.recovery)
    return false;
  bool identical = a.xmin == b.xmin && a.xmax == b.xmax && a.xip == b.xip && a.subxip == b.subxip;
  if (!identical && !differ_only_by_writers(a, b)) return false;
  if (a.lxid == b.lxid) return a.curcid == b.curcid;
  // Another transaction: this backend's own writes are visible to a
  // transaction that made them and to no other until it commits -- and its
  // commit or abort changes the snapshots that follow. Only a transaction
  // that had written nothing when the state was cached passes it on, and
  // only to one that has written nothing yet.
  return !a.had_xid && !b.had_xid && a.curcid == FirstCommandId && b.curcid == FirstCommandId;
}

}  // namespace

bool same_view_as_before(Snapshot snapshot, TimestampTz now, uint64 tuples_generation,
                         uint64 catalog_generation) {
  View next = capture(snapshot, now, tuples_generation, catalog_generation);
  // Time only moves forward for what expired; what was live holds until
  // the earliest expiry read.
  bool same = last.valid && same_view(last, next) && now >= last.now && now < valid_until;
  last = std::move(next);
  if (!same) {
    ++epoch;
    valid_until = DT_NOEND;
  }
  return same;
}

void forget_view() {
  last.valid = false;
  ++epoch;
  valid_until = DT_NOEND;
}

void note_expiry(TimestampTz expires_at) {
  if (expires_at < valid_until) valid_until = expires_at;
}

uint64_t view_epoch() { return epoch; }

}  // namespace agentauthz::pg
