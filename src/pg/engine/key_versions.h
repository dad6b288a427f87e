// Which lookups of agentauthz.tuples writers have touched, for the shared
// cache (pg/engine/shared_cache.h): a write makes stale only the entries of
// the object and the subject it names, not every entry of the server.
//
// Every lookup the cache holds is about one object (its tuples, its
// subjects, a point lookup) or one subject (the objects naming it); each
// maps to a key slot by a hash of that name. A slot keeps a version, bumped
// by every row written that names it, and the newest transaction that
// wrote it. An entry is stamped with its slot's version read before its
// tuples were; a statement uses it while the version is unchanged and every
// transaction that wrote the slot (all of them older than the newest) had
// ended before its snapshot was taken (older than its xmin): then the entry
// holds what the statement's snapshot sees. Writes whose rows are not known
// (TRUNCATE, DDL, a new database) move an unkeyed version every entry is
// stamped with as well.
//
// Writers note their rows in the tables' BEFORE triggers, DDL after it ran:
// both before the transaction can commit, which is all the rule needs.
// Slots that collide only make entries stale sooner.
#pragma once

#include <cstdint>
#include <string_view>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg::key_versions {

// The shared memory the slots take; the shared cache requests it with its
// own and attaches it (initializing it when the server starts).
Size shmem_size();
void attach(void* memory, bool initialize);
bool available();

// The slot of lookups about an object (`type:id`) or a subject (`type:id`,
// `type:id#relation`) in the current database.
uint32 object_slot(std::string_view object);
uint32 subject_slot(std::string_view subject);

// A slot's state: its version, and whether every transaction that wrote
// it is older than `xmin` (a full transaction id: ended for a snapshot
// whose xmin it is).
struct Version {
  uint64 version = 0;
  bool writers_ended = false;
};
Version read(uint32 slot, uint64 xmin);
// The same for writes of unknown rows.
Version read_unkeyed(uint64 xmin);

// Notes the current transaction writing a row of agentauthz.tuples that
// names `object` and `subject`; called before the row is written.
void note_tuple_write(std::string_view object, std::string_view subject);
// Notes a write whose rows are not known: TRUNCATE, DDL on the extension's
// tables, a new database (which may take a dropped one's oid).
void note_unkeyed_write();

// The full transaction id of `xid`, a transaction id not in the future
// (a snapshot's xmin): within 2^31 of the next one.
uint64 full_xid(TransactionId xid);

}  // namespace agentauthz::pg::key_versions
