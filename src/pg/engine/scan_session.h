// The snapshot a statement's lookups read under, and the lifetime of what
// the readers over it open (tuple_scans.h for agentauthz.tuples,
// pg/catalog/model_rows.h for agentauthz.models). A session is prepared
// once per snapshot and reused by every lookup of a statement; each reader
// opens its relations and index scans on first use, and the session
// releases them all when the statement's executor ends, before utility
// commands and at commit.
//
// These functions call PostgreSQL and may raise ERROR (longjmp): call them
// from C++ only inside pg_guard, and keep no C++ objects alive in frames
// below them.
#pragma once

#include "pg/common/pg_headers.h"
#include "pg/engine/shared_cache.h"

namespace agentauthz::pg {

// Identifies the snapshot and command a statement reads under: the same
// stamp means the same statement's view, without comparing snapshots.
struct Stamp {
  LocalTransactionId lxid = InvalidLocalTransactionId;
  TransactionId xmin = InvalidTransactionId;
  TransactionId xmax = InvalidTransactionId;
  uint64 completions = 0;
  CommandId curcid = InvalidCommandId;
  const void* snapshot = nullptr;  // identity, when completions is unknown
  uint64 writes_generation = 0;
  uint64 catalog_generation = 0;

  bool operator==(const Stamp& o) const;
  bool operator!=(const Stamp& o) const { return !(*this == o); }
};

// Returns the stamp of the current active snapshot.
Stamp current_stamp();

// Prepares the session for the current snapshot. Returns true when the data
// visible may differ from what the previous snapshot saw, i.e. the caches
// must be dropped (see visible_state.h); false for the same snapshot or an
// equivalent one.
bool scans_prepare();
// Whether the session is already prepared for the active snapshot: the
// common case of every row after a statement's first, answered without
// anything that can raise an error (so callers need no guard for it).
bool scans_current();
// Counts the snapshots the session was prepared for: a new value is a new
// statement (or a new command within one).
uint64 scans_statement();
// The session's registered snapshot and the transaction's timestamp, against
// which tuples' expiry is judged.
Snapshot scans_snapshot();
TimestampTz scans_now();
// Whether, and how, the statement may use the shared cache.
const shared_cache::View& scans_shared_view();

// Ends the session cleanly (statement end, before utility commands, commit).
void scans_close();
// Drops the session without touching it: its resources were already
// released by PostgreSQL (error, abort).
void scans_forget();
// Installs the executor, utility, transaction and resource-owner hooks that
// call scans_close/scans_forget; called once from _PG_init.
void register_scan_lifecycle();

// A reader over the session's snapshot: what it opened is released with the
// session. `release` ends its scans and closes its relations (called under
// the session's resource owner, tolerating a partly opened set); `forget`
// drops its pointers without touching them.
struct ScanReader {
  void (*release)();
  void (*forget)();
};
// Registers a reader (static storage); called once per reader at load.
void register_scan_reader(const ScanReader* reader);

// Runs `open` (which opens a reader's relations or scans); when it raises an
// ERROR, releases the whole session first, so that the next lookup starts
// over cleanly.
void scans_open_or_release(void (*open)(void*), void* arg);
template <typename Open>
void scans_open(Open&& open) {
  scans_open_or_release([](void* f) { (*static_cast<Open*>(f))(); }, &open);
}

// The caller's resource owner and memory context, saved while a lookup runs
// under the session's.
struct ScansSaved {
  ResourceOwner owner;
  MemoryContext context;
};
ScansSaved scans_enter();
void scans_leave(const ScansSaved& saved);

// Runs `lookup` under the session's resource owner and memory context: the
// buffer pins a lookup takes and the memory the index AM allocates lazily
// (btree's killed-items array, freed by index_endscan) must live as long as
// the session, not as long as the caller's per-row context. The caller's
// are restored whether it returns or throws (a visitor may throw: a cancel,
// an allocation failure); a PostgreSQL error raised inside (longjmp, which
// skips this frame) is restored by the enclosing pg_guard, which saved the
// same.
template <typename Lookup>
auto with_scans(Lookup&& lookup) {
  ScansSaved saved = scans_enter();
  try {
    auto result = lookup();
    scans_leave(saved);
    return result;
  } catch (...) {
    scans_leave(saved);
    throw;
  }
}

}  // namespace agentauthz::pg
