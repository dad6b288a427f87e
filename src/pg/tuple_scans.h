// Direct index scans over agentauthz.tuples and agentauthz.models under the
// active snapshot (agents and delegations are read like catalogs instead:
// catalog_rows.h). The scans are opened once per snapshot and reused by
// every lookup of a statement (rescanned with new keys), then closed when
// the statement's executor ends, before utility commands and at commit.
//
// These functions call PostgreSQL and may raise ERROR (longjmp): call them
// from C++ only inside pg_guard, and keep no C++ objects alive in frames
// below them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/tuple_key.h"
#include "core/tuple_reader.h"
#include "pg/pg_headers.h"

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
  uint64 tuples_generation = 0;
  uint64 catalog_generation = 0;

  bool operator==(const Stamp& o) const;
  bool operator!=(const Stamp& o) const { return !(*this == o); }
};

// Returns the stamp of the current active snapshot.
Stamp current_stamp();

// Prepares the scans for the current snapshot (relations are opened on
// first use). Returns true when the data visible may differ from what the
// previous snapshot saw, i.e. the caches must be dropped (see
// visible_state.h); false for the same snapshot or an equivalent one.
bool scans_prepare();
// Whether the scans are already prepared for the active snapshot: the
// common case of every row after a statement's first, answered without
// anything that can raise an error (so callers need no guard for it).
bool scans_current();
// Counts the snapshots the scans were prepared for: a new value is a new
// statement (or a new command within one).
uint64 scans_statement();

// Point lookup of one live tuple.
bool scan_contains(const core::ObjectKey& object, std::string_view relation,
                   const core::SubjectKey& subject);
// Visits the subjects of live tuples object#relation.
void scan_subjects(const core::ObjectKey& object, std::string_view relation,
                   core::SubjectFilter filter, core::SubjectVisitor visit);
// Visits the live tuples of `object` (every relation); returns false as soon
// as there are more than `limit`.
bool scan_object(const core::ObjectKey& object, size_t limit, core::TupleVisitor visit);
// Visits the objects of `object_type` with a live tuple object#relation@subject.
void scan_objects(const core::SubjectKey& subject, std::string_view relation,
                  std::string_view object_type, core::ObjectVisitor visit);

// Reads the newest visible model; returns false when there is none. The
// text pointer is valid until the next scan call.
bool scan_newest_model(int64* id, const char** dsl, int* dsl_length);

// The transaction's timestamp, against which tuples' expiry is judged.
TimestampTz scans_now();

// Ends the scans cleanly (statement end, before utility commands, commit).
void scans_close();
// Drops the scans without touching them: their resources were already
// released by PostgreSQL (error, abort).
void scans_forget();
// Installs the executor, utility, transaction and resource-owner hooks that
// call scans_close/scans_forget; called once from _PG_init.
void register_scan_lifecycle();

}  // namespace agentauthz::pg
