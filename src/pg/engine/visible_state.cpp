#include "pg/engine/visible_state.h"

#include <algorithm>
#include <vector>

#include "pg/common/guard.h"
#include "pg/engine/writer_marks.h"

namespace agentauthz::pg {

namespace {

struct View {
  bool valid = false;
  LocalTransactionId lxid = InvalidLocalTransactionId;
  bool had_xid = false;
  CommandId curcid = InvalidCommandId;
  bool wrote = false;  // its transaction had written the engine's tables
  TransactionId xmin = InvalidTransactionId;
  TransactionId xmax = InvalidTransactionId;
  bool recovery = false;
  std::vector<TransactionId> xip;     // sorted
  std::vector<TransactionId> subxip;  // sorted
  uint64 writes_generation = 0;
  uint64 catalog_generation = 0;
  bool writes_marked = false;
  TimestampTz now = 0;
};

View last;
TimestampTz valid_until = DT_NOEND;
uint64_t epoch = 1;
uint64_t kept = 0;

// Captures what decides which tuples `snapshot` sees.
View capture(Snapshot snapshot, TimestampTz now, uint64 writes_generation,
             uint64 catalog_generation, bool writes_marked) {
  View view;
  view.valid = snapshot->snapshot_type == SNAPSHOT_MVCC;
  view.lxid = MyProc->lxid;
  view.had_xid = TransactionIdIsValid(GetTopTransactionIdIfAny());
  view.curcid = snapshot->curcid;
  view.wrote = writer_marks::transaction_wrote();
  view.xmin = snapshot->xmin;
  view.xmax = snapshot->xmax;
  view.recovery = snapshot->takenDuringRecovery;
  view.xip.assign(snapshot->xip, snapshot->xip + snapshot->xcnt);
  std::sort(view.xip.begin(), view.xip.end());
  if (!snapshot->suboverflowed || snapshot->takenDuringRecovery) {
    view.subxip.assign(snapshot->subxip, snapshot->subxip + snapshot->subxcnt);
    std::sort(view.subxip.begin(), view.subxip.end());
  }
  view.writes_generation = writes_generation;
  view.catalog_generation = catalog_generation;
  view.writes_marked = writes_marked;
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

// At most this many transaction ids begun between two snapshots are
// examined (a few hundred microseconds); more, and the view starts over.
constexpr uint32 kMaxXidsExamined = 65536;

// Whether two snapshots classify differently only transactions that did
// not write the engine's tables (pg/engine/writer_marks.h), or that
// aborted: then they see the same tuples, models, agents, delegations and
// registrations. Orders placed, sessions updated and the audit log
// written elsewhere leave what a backend kept in place.
bool differ_only_by_other_writes(const View& a, const View& b) {
  // A standby runs no triggers: nothing is marked there.
  if (a.recovery || b.recovery) return false;
  TransactionId horizon = writer_marks::current_horizon();
  if (!TransactionIdIsValid(horizon)) return false;
  // The marks of transactions the second snapshot sees as ended were set
  // before they ended, so before it was taken.
  pg_memory_barrier();
  // Only a marked transaction's commit changes what is visible; a writer's
  // xid is its top-level one, which snapshots always list (subtransactions
  // commit with it).
  auto changed_by = [&](TransactionId xid) {
    if (!writer_marks::may_have_written(xid, horizon) || in_progress(a, xid) == in_progress(b, xid))
      return false;
    bool committed = true;
    pg_guard([&] { committed = TransactionIdDidCommit(xid); });
    return committed;
  };
  // Below both xmax, the snapshots differ only on the xids they list; from
  // the lower xmax to the higher, on the transactions that began between.
  TransactionId low_xmax = TransactionIdPrecedes(a.xmax, b.xmax) ? a.xmax : b.xmax;
  TransactionId high_xmax = TransactionIdPrecedes(a.xmax, b.xmax) ? b.xmax : a.xmax;
  for (const View* view : {&a, &b}) {
    for (const std::vector<TransactionId>* listed : {&view->xip, &view->subxip})
      for (TransactionId xid : *listed)
        if (TransactionIdPrecedes(xid, low_xmax) && changed_by(xid)) return false;
  }
  if (high_xmax - low_xmax > kMaxXidsExamined) return false;
  for (TransactionId xid = low_xmax; xid != high_xmax;) {
    if (changed_by(xid)) return false;
    TransactionIdAdvance(xid);
  }
  return true;
}

// Whether the snapshots list the same transactions as in progress.
bool same_snapshot(const View& a, const View& b) {
  return a.xmin == b.xmin && a.xmax == b.xmax && a.xip == b.xip && a.subxip == b.subxip;
}

// Without marks (a database whose extension predates them), as before
// them: the same snapshot, and this backend's own writes judged by its
// transaction and command.
bool same_unmarked_view(const View& a, const View& b) {
  if (!same_snapshot(a, b)) return false;
  if (a.lxid == b.lxid) return a.curcid == b.curcid;
  return !a.had_xid && !b.had_xid && a.curcid == FirstCommandId && b.curcid == FirstCommandId;
}

bool same_view(const View& a, const View& b) {
  if (!a.valid || !b.valid || a.writes_generation != b.writes_generation ||
      a.catalog_generation != b.catalog_generation || a.recovery != b.recovery)
    return false;
  // A SERIALIZABLE transaction reads through the indexes what it did not
  // read itself: PostgreSQL's conflict detection learns of a read from the
  // index and heap pages it visits, and an answer kept from another
  // transaction visits none (write skew would go unseen).
  if (a.lxid != b.lxid && IsolationIsSerializable()) return false;
  if (!a.writes_marked || !b.writes_marked) return same_unmarked_view(a, b);
  // A transaction that wrote the engine's tables sees its writes only from
  // the commands after them: a view taken under an older command (the
  // outer query's snapshot after a function wrote, a cursor's) is not the
  // next command's, in either order. Another command or transaction of
  // this backend sees the same as before otherwise (its own writes and the
  // end of a transaction that made them change writes_generation).
  if (a.lxid == b.lxid && (a.wrote || b.wrote) && a.curcid != b.curcid) return false;
  return same_snapshot(a, b) || differ_only_by_other_writes(a, b);
}

}  // namespace

bool same_view_as_before(Snapshot snapshot, TimestampTz now, uint64 writes_generation,
                         uint64 catalog_generation, bool writes_marked) {
  View next = capture(snapshot, now, writes_generation, catalog_generation, writes_marked);
  // Time only moves forward for what expired; what was live holds until
  // the earliest expiry read.
  bool same = last.valid && same_view(last, next) && now >= last.now && now < valid_until;
  last = std::move(next);
  if (same) {
    ++kept;
  } else {
    ++epoch;
    valid_until = DT_NOEND;
  }
  return same;
}

void note_expiry(TimestampTz expires_at) {
  if (expires_at < valid_until) valid_until = expires_at;
}

TimestampTz view_valid_until() { return valid_until; }

uint64_t view_epoch() { return epoch; }

uint64_t views_kept() { return kept; }

}  // namespace agentauthz::pg
