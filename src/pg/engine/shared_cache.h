// The shared authorization cache: what lookups of agentauthz.tuples
// returned, in shared memory, for every backend of the server. A backend
// whose own caches miss (a new connection, a statement after a write)
// reads a lookup another backend already made instead of scanning the
// indexes again.
//
// Entries are keyed by database, tuples table and lookup, and stamped with
// the versions of their key slot and of unkeyed writes read before their
// tuples were (pg/engine/key_versions.h): an entry answers a statement
// while no row naming its object or subject was written since, and every
// transaction that did write one had ended before the statement's snapshot
// was taken. A write elsewhere leaves it alone. Each entry also carries the
// transaction time it was read at and the earliest expiry it holds.
//
// Memory: a ring of agentauthz.shared_cache_size bytes that new entries
// overwrite in order (the oldest go first), and an index of 8-byte slots
// (one per 64 bytes of ring). Lookups take no lock: an entry is copied,
// then checked against its checksum and against the ring having moved over
// it meanwhile; a backend that dies while writing leaves an entry nobody
// can reach.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg::shared_cache {

// Requests and attaches the shared memory; called once from _PG_init when
// the library is preloaded and agentauthz.shared_cache_size is not 0.
void register_hooks();
bool available();

// Whether, and under which stamp, a statement may use the cache.
struct View {
  bool usable = false;
  uint64 unkeyed = 0;  // the version of unkeyed writes it was judged under
  uint64 xmin = 0;     // the snapshot's xmin, a full transaction id
  TimestampTz now = 0;
  Oid tuples = InvalidOid;
  // The table's storage: a rewrite (ALTER TABLE ... TYPE) leaves nothing
  // read before it reachable.
  Oid tuples_file = InvalidOid;
};

// Judges the statement's snapshot; `writes_marked` says the engine's
// tables mark their writers, `wrote` that this transaction wrote them.
View view_for(Snapshot snapshot, TimestampTz now, Oid tuples, bool writes_marked, bool wrote);

// Finds the payload stored under `key` (a lookup in key slot `slot`) when
// an entry holds for `view`: *payload is a copy, valid until the next
// lookup or insert; *valid_until is when the entry stops holding.
bool lookup(const View& view, uint32 slot, std::string_view key, std::string_view* payload,
            TimestampTz* valid_until);
// What an entry about to be read will be stamped with: taken before its
// tuples are read.
struct Ticket {
  bool usable = false;
  uint32 slot = 0;
  uint64 version = 0;
};
Ticket ticket(const View& view, uint32 slot);
// Stores `payload` under `key`, read after `ticket` was taken; it holds
// until `valid_until`. Too large a payload is not stored. `items` counts
// the tuples (or facts) the payload holds, for stats().
void insert(const View& view, const Ticket& ticket, std::string_view key, std::string_view payload,
            size_t items, TimestampTz valid_until);

// The most payload bytes an entry may hold (0 when the cache is off): a
// longer list is not collected for it.
size_t max_payload_bytes();

struct Stats {
  uint64 size_bytes = 0;  // ring and index
  uint64 entries = 0;     // published since start
  uint64 bytes_written = 0;
  uint64 items_written = 0;  // tuples (or facts) the entries hold
  uint64 hits = 0;           // this backend's
  uint64 misses = 0;
};
Stats stats();

}  // namespace agentauthz::pg::shared_cache
