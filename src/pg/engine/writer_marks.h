// Which transactions wrote the tables the engine reads (tuples, models,
// agents, delegations, protected tables). Their triggers mark the writing
// transaction in shared memory before it can commit; a backend comparing
// two snapshots (pg/engine/visible_state.h) then ends what it kept only
// for the commits of marked transactions, and keeps it across every other
// commit in the database.
//
// The marks are a direct-mapped array of transaction ids: a slot holds the
// newest marked xid that maps to it, so a mark can be lost only to a newer
// xid of the same slot, which then makes the older one count as marked --
// never the other way. Transactions older than the first mark this server
// could have taken count as marked too (prepared transactions survive a
// restart; shared memory does not).
//
// Without the preloaded library nothing marks, and a standby runs no
// triggers: both take every change of snapshot as a possible write.
#pragma once

#include <cstdint>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg::writer_marks {

// Requests and attaches the shared memory; called once from _PG_init when
// the library is preloaded.
void register_hooks();
// Whether marks are kept (the library was preloaded).
bool available();

// Marks the current transaction as a writer of the engine's tables and
// counts a write of this backend's (writes_generation). Called by the
// tables' triggers, before the transaction can commit.
void mark_current_transaction();
// The same, for a transaction that already has an xid (DDL that wrote the
// catalogs); one without (read only, a standby) is left alone. Returns
// whether it marked.
bool mark_if_writing();
// The oldest transaction the marks vouch for (older ones count as
// marked), or InvalidTransactionId without marks. Read once per comparison
// of snapshots: it takes XidGenLock.
TransactionId current_horizon();
// Whether `xid` may have written the engine's tables: true for every marked
// one, and for any the marks cannot vouch for (before `horizon`, which
// current_horizon() returned). Never false for a writer.
bool may_have_written(TransactionId xid, TransactionId horizon);

// Changes with every write of this backend's to the engine's tables, and
// when a transaction or subtransaction that wrote them ends: what it kept
// before may no longer be what its own snapshots see.
uint64_t writes_generation();
// Whether the current transaction wrote the engine's tables.
bool transaction_wrote();

// Installs the transaction callbacks; called once from _PG_init.
void register_callbacks();

}  // namespace agentauthz::pg::writer_marks
