#include "pg/engine/key_versions.h"

#include "core/flat_map.h"

extern "C" {
#include "access/transam.h"
#include "access/xact.h"
#include "miscadmin.h"
}

namespace agentauthz::pg::key_versions {

namespace {

// 1 MB: with a thousand rows written a second, a slot is written about
// once a minute.
constexpr uint32 kSlots = 65536;

struct Slot {
  pg_atomic_uint64 version;
  // The newest full transaction id that wrote the slot (0: none yet).
  pg_atomic_uint64 newest_writer;
};

struct Shared {
  // Set once the unkeyed slot names the first transaction id this server
  // handed out after it started.
  pg_atomic_uint32 started;
  Slot unkeyed;
  Slot slots[kSlots];
};

Shared* shared = nullptr;

void init_slot(Slot* slot) {
  pg_atomic_init_u64(&slot->version, 1);
  pg_atomic_init_u64(&slot->newest_writer, 0);
}

uint32 slot_of(char kind, std::string_view name) {
  uint64 hash = core::hash_bytes(name.data(), name.size());
  hash ^= (static_cast<uint64>(MyDatabaseId) << 8 | static_cast<unsigned char>(kind)) *
          0x9e3779b97f4a7c15ULL;
  return static_cast<uint32>(core::mix64(hash) % kSlots);
}

// The writer first, then the version (both full barriers): whoever reads
// the new version reads the writer too.
void note(Slot* slot, uint64 writer) {
  uint64 seen = pg_atomic_read_u64(&slot->newest_writer);
  while (seen < writer && !pg_atomic_compare_exchange_u64(&slot->newest_writer, &seen, writer)) {
  }
  pg_atomic_fetch_add_u64(&slot->version, 1);
}

// The version first, then the writer: a writer of a later version may be
// read too, which only refuses more.
Version read_slot(Slot* slot, uint64 xmin) {
  Version result;
  result.version = pg_atomic_read_u64(&slot->version);
  pg_read_barrier();
  result.writers_ended = pg_atomic_read_u64(&slot->newest_writer) < xmin;
  return result;
}

}  // namespace

Size shmem_size() { return sizeof(Shared); }

void attach(void* memory, bool initialize) {
  shared = static_cast<Shared*>(memory);
  if (!initialize) return;
  pg_atomic_init_u32(&shared->started, 0);
  init_slot(&shared->unkeyed);
  for (Slot& slot : shared->slots) init_slot(&slot);
}

bool available() { return shared != nullptr; }

uint32 object_slot(std::string_view object) { return slot_of('o', object); }
uint32 subject_slot(std::string_view subject) { return slot_of('s', subject); }

Version read(uint32 slot, uint64 xmin) {
  if (!available()) return {};
  return read_slot(&shared->slots[slot % kSlots], xmin);
}

Version read_unkeyed(uint64 xmin) {
  if (!available()) return {};
  // The slots start empty with the server, but a transaction prepared
  // before it stopped may have written rows (noted in the memory that was
  // lost) and commit now. Every entry waits until all transactions older
  // than the server's first use of the cache have ended, prepared ones
  // included (they hold snapshots' xmin back). (A transaction that writes
  // the engine's tables cannot be prepared while the library is loaded;
  // this covers one prepared without it.)
  if (pg_atomic_read_u32(&shared->started) == 0) {
    // The newest id handed out so far: a snapshot whose xmin is past it
    // sees every one of them ended.
    note(&shared->unkeyed, U64FromFullTransactionId(ReadNextFullTransactionId()) - 1);
    pg_atomic_write_u32(&shared->started, 1);
  }
  return read_slot(&shared->unkeyed, xmin);
}

void note_tuple_write(std::string_view object, std::string_view subject) {
  if (!available()) return;
  uint64 writer = U64FromFullTransactionId(GetTopFullTransactionId());
  note(&shared->slots[object_slot(object)], writer);
  note(&shared->slots[subject_slot(subject)], writer);
}

void note_unkeyed_write() {
  if (!available()) return;
  // A new database has no transaction id of its own to wait for; the
  // version alone makes what was shared under a reused oid stale.
  FullTransactionId own = GetTopFullTransactionIdIfAny();
  note(&shared->unkeyed, FullTransactionIdIsValid(own) ? U64FromFullTransactionId(own) : 0);
}

uint64 full_xid(TransactionId xid) {
  FullTransactionId next = ReadNextFullTransactionId();
  uint32 behind = XidFromFullTransactionId(next) - xid;
  return U64FromFullTransactionId(next) - behind;
}

}  // namespace agentauthz::pg::key_versions
