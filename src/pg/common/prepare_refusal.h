// PREPARE TRANSACTION for transactions that lock the extension's tables.
//
// A prepared transaction outlives its session and keeps its locks until a
// superuser finishes it. One that wrote or locked the extension's tables
// (a tuple write, a row lock, LOCK TABLE) would hold revocations, tuple
// writes or every reader waiting that long. Only the lock every reader
// takes (ACCESS SHARE) may be kept.
#pragma once

namespace agentauthz::pg {

// Refuses such a PREPARE; called once from _PG_init.
void register_lock_prepare_check();

}  // namespace agentauthz::pg
