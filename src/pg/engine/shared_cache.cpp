#include "pg/engine/shared_cache.h"

#include <algorithm>
#include <cstring>

#include "core/flat_map.h"
#include "pg/engine/key_versions.h"
#include "pg/engine/writer_marks.h"
#include "pg/settings.h"

extern "C" {
#include "access/parallel.h"
#include "catalog/pg_class.h"
#include "storage/ipc.h"
#include "storage/shmem.h"
#include "utils/syscache.h"
}

namespace agentauthz::pg::shared_cache {

namespace {

constexpr uint64 kAlign = 8;
constexpr uint32 kSlotsPerBucket = 8;  // one cache line of slots
constexpr uint64 kRingBytesPerSlot = 64;
constexpr uint64 kMaxEntryBytes = 1 << 20;
// A slot: the entry's ring position in 8-byte units + 1 (0: empty) in the
// low 48 bits, 16 bits of its key's hash above them.
constexpr int kTagShift = 48;
constexpr uint64 kPositionMask = (uint64{1} << kTagShift) - 1;

struct Header {
  uint64 ring_bytes;
  uint64 slot_count;          // a power of two
  pg_atomic_uint64 reserved;  // ring bytes handed out since start
  pg_atomic_uint64 entries;
  pg_atomic_uint64 items;
};

// What precedes an entry's key and payload in the ring.
struct EntryHeader {
  uint64 checksum;  // of everything after it
  uint64 unkeyed;   // the versions it was read under
  uint64 slot_version;
  TimestampTz built_now;
  TimestampTz valid_until;
  uint32 total_bytes;  // header, key and payload
  uint32 key_bytes;
};

Header* header = nullptr;
pg_atomic_uint64* slots = nullptr;
char* ring = nullptr;
shmem_request_hook_type previous_request_hook = nullptr;
shmem_startup_hook_type previous_startup_hook = nullptr;
uint64 hits = 0;
uint64 misses = 0;
std::string scratch_key;
std::string scratch_entry;

uint64 ring_bytes_setting() { return static_cast<uint64>(shared_cache_mb_setting) << 20; }

uint64 slot_count_for(uint64 ring_bytes) {
  uint64 wanted = ring_bytes / kRingBytesPerSlot;
  uint64 count = kSlotsPerBucket;
  while (count < wanted) count <<= 1;
  return count;
}

// Header, index, ring, then the key slots (pg/engine/key_versions.h).
Size shmem_size() {
  uint64 ring_bytes = ring_bytes_setting();
  return MAXALIGN(sizeof(Header)) + slot_count_for(ring_bytes) * sizeof(pg_atomic_uint64) +
         ring_bytes + key_versions::shmem_size();
}

void request_shmem() {
  if (previous_request_hook) previous_request_hook();
  RequestAddinShmemSpace(shmem_size());
}

void startup_shmem() {
  if (previous_startup_hook) previous_startup_hook();
  LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
  bool found = false;
  char* base = static_cast<char*>(ShmemInitStruct("agentauthz shared cache", shmem_size(), &found));
  header = reinterpret_cast<Header*>(base);
  slots = reinterpret_cast<pg_atomic_uint64*>(base + MAXALIGN(sizeof(Header)));
  if (!found) {
    header->ring_bytes = ring_bytes_setting();
    header->slot_count = slot_count_for(header->ring_bytes);
    pg_atomic_init_u64(&header->reserved, 0);
    pg_atomic_init_u64(&header->entries, 0);
    pg_atomic_init_u64(&header->items, 0);
    for (uint64 i = 0; i < header->slot_count; ++i) pg_atomic_init_u64(&slots[i], 0);
  }
  ring = reinterpret_cast<char*>(slots + header->slot_count);
  key_versions::attach(ring + header->ring_bytes, !found);
  LWLockRelease(AddinShmemInitLock);
}

// The full key: database, tuples table and its storage, then the lookup's own key.
const std::string& full_key(const View& view, std::string_view key) {
  scratch_key.assign(reinterpret_cast<const char*>(&MyDatabaseId), sizeof(Oid));
  scratch_key.append(reinterpret_cast<const char*>(&view.tuples), sizeof(Oid));
  scratch_key.append(reinterpret_cast<const char*>(&view.tuples_file), sizeof(Oid));
  scratch_key.append(key);
  return scratch_key;
}

uint64 entry_checksum(const char* entry, size_t total_bytes) {
  return core::hash_bytes(entry + sizeof(uint64), total_bytes - sizeof(uint64));
}

pg_atomic_uint64* bucket_of(uint64 hash) {
  uint64 buckets = header->slot_count / kSlotsPerBucket;
  return &slots[(hash & (buckets - 1)) * kSlotsPerBucket];
}

uint64 tag_of(uint64 hash) { return hash >> kTagShift; }

// Whether the ring bytes from `position` on are still those written there:
// nothing was handed out a whole ring later.
bool still_in_ring(uint64 position) {
  return pg_atomic_read_u64(&header->reserved) <= position + header->ring_bytes;
}

// Copies the entry at `position` into scratch_entry; false when it is not
// whole and unchanged there.
bool copy_entry(uint64 position) {
  uint64 offset = position % header->ring_bytes;
  if (offset + sizeof(EntryHeader) > header->ring_bytes) return false;
  EntryHeader head;
  std::memcpy(&head, ring + offset, sizeof(head));
  if (head.total_bytes < sizeof(EntryHeader) || head.total_bytes > kMaxEntryBytes ||
      offset + head.total_bytes > header->ring_bytes)
    return false;
  scratch_entry.assign(ring + offset, head.total_bytes);
  // The copy is read before the ring's position is read again.
  pg_read_barrier();
  if (!still_in_ring(position)) return false;
  return entry_checksum(scratch_entry.data(), scratch_entry.size()) == head.checksum;
}

// Hands out `bytes` of the ring (never across its end); returns the position.
uint64 reserve(uint64 bytes) {
  uint64 seen = pg_atomic_read_u64(&header->reserved);
  for (;;) {
    uint64 start = seen;
    uint64 offset = start % header->ring_bytes;
    if (offset + bytes > header->ring_bytes) start += header->ring_bytes - offset;
    if (pg_atomic_compare_exchange_u64(&header->reserved, &seen, start + bytes)) return start;
  }
}

}  // namespace

void register_hooks() {
  if (shared_cache_mb_setting == 0) return;
  previous_request_hook = shmem_request_hook;
  shmem_request_hook = request_shmem;
  previous_startup_hook = shmem_startup_hook;
  shmem_startup_hook = startup_shmem;
}

bool available() { return header != nullptr; }

View view_for(Snapshot snapshot, TimestampTz now, Oid tuples, bool writes_marked, bool wrote) {
  View view;
  // This transaction's own writes are visible to it alone, and to its
  // parallel workers, which share its xid but not its local flags. A
  // SERIALIZABLE transaction reads the indexes, whose pages tell
  // PostgreSQL's conflict detection what it read.
  if (!available() || !key_versions::available() || !shared_cache_setting || !writes_marked ||
      wrote || !OidIsValid(tuples) || IsParallelWorker() || IsolationIsSerializable() ||
      snapshot->snapshot_type != SNAPSHOT_MVCC || snapshot->takenDuringRecovery)
    return view;
  TransactionId own = GetTopTransactionIdIfAny();
  if (TransactionIdIsValid(own) &&
      writer_marks::may_have_written(own, writer_marks::current_horizon()))
    return view;
  uint64 xmin = key_versions::full_xid(snapshot->xmin);
  key_versions::Version unkeyed = key_versions::read_unkeyed(xmin);
  if (!unkeyed.writers_ended) return view;
  HeapTuple row = SearchSysCache1(RELOID, ObjectIdGetDatum(tuples));
  if (!HeapTupleIsValid(row)) return view;
  view.tuples_file = reinterpret_cast<Form_pg_class>(GETSTRUCT(row))->relfilenode;
  ReleaseSysCache(row);
  view.usable = true;
  view.unkeyed = unkeyed.version;
  view.xmin = xmin;
  view.now = now;
  view.tuples = tuples;
  return view;
}

bool lookup(const View& view, uint32 slot, std::string_view key, std::string_view* payload,
            TimestampTz* valid_until) {
  if (!view.usable) return false;
  // No entry of a slot whose writers the snapshot may not all see as ended.
  key_versions::Version now = key_versions::read(slot, view.xmin);
  if (!now.writers_ended) {
    ++misses;
    return false;
  }
  const std::string& full = full_key(view, key);
  uint64 hash = core::hash_bytes(full.data(), full.size());
  pg_atomic_uint64* bucket = bucket_of(hash);
  for (uint32 i = 0; i < kSlotsPerBucket; ++i) {
    uint64 index_slot = pg_atomic_read_u64(&bucket[i]);
    if (index_slot == 0 || index_slot >> kTagShift != tag_of(hash)) continue;
    // The entry was written before its slot was published.
    pg_read_barrier();
    if (!copy_entry(((index_slot & kPositionMask) - 1) * kAlign)) continue;
    EntryHeader head;
    std::memcpy(&head, scratch_entry.data(), sizeof(head));
    std::string_view stored_key(scratch_entry.data() + sizeof(head), head.key_bytes);
    if (head.key_bytes > head.total_bytes - sizeof(head) || stored_key != full) continue;
    // Nothing naming its key written since (so the same tuples), and the
    // entry's time holds: what expired at its reading has expired now,
    // what it kept has not.
    if (head.unkeyed != view.unkeyed || head.slot_version != now.version ||
        head.built_now > view.now || view.now >= head.valid_until)
      break;
    size_t start = sizeof(head) + head.key_bytes;
    *payload = std::string_view(scratch_entry).substr(start, head.total_bytes - start);
    *valid_until = head.valid_until;
    ++hits;
    return true;
  }
  ++misses;
  return false;
}

Ticket ticket(const View& view, uint32 slot) {
  Ticket result;
  if (!view.usable) return result;
  key_versions::Version now = key_versions::read(slot, view.xmin);
  result.usable = now.writers_ended;
  result.slot = slot;
  result.version = now.version;
  return result;
}

void insert(const View& view, const Ticket& ticket, std::string_view key, std::string_view payload,
            size_t items, TimestampTz valid_until) {
  if (!view.usable || !ticket.usable || valid_until <= view.now) return;
  const std::string& full = full_key(view, key);
  uint64 total = sizeof(EntryHeader) + full.size() + payload.size();
  uint64 padded = (total + kAlign - 1) / kAlign * kAlign;
  if (padded > kMaxEntryBytes || padded > header->ring_bytes / 16) return;
  EntryHeader head{0,
                   view.unkeyed,
                   ticket.version,
                   view.now,
                   valid_until,
                   static_cast<uint32>(total),
                   static_cast<uint32>(full.size())};
  scratch_entry.assign(reinterpret_cast<const char*>(&head), sizeof(head));
  scratch_entry.append(full);
  scratch_entry.append(payload);
  head.checksum = entry_checksum(scratch_entry.data(), scratch_entry.size());
  scratch_entry.replace(0, sizeof(head.checksum), reinterpret_cast<const char*>(&head.checksum),
                        sizeof(head.checksum));

  uint64 position = reserve(padded);
  scratch_entry.copy(ring + position % header->ring_bytes, scratch_entry.size());
  pg_write_barrier();
  // Overrun by the whole ring while writing (a very slow writer): the
  // bytes may be another entry's now.
  if (!still_in_ring(position)) return;

  uint64 hash = core::hash_bytes(full.data(), full.size());
  uint64 slot = tag_of(hash) << kTagShift | (position / kAlign + 1);
  pg_atomic_uint64* bucket = bucket_of(hash);
  // The slot of the same key, else an empty one, else the oldest.
  uint32 chosen = 0;
  uint64 oldest = UINT64_MAX;
  for (uint32 i = 0; i < kSlotsPerBucket; ++i) {
    uint64 seen = pg_atomic_read_u64(&bucket[i]);
    uint64 seen_position = seen & kPositionMask;
    if (seen == 0 || seen >> kTagShift == tag_of(hash)) {
      chosen = i;
      break;
    }
    if (seen_position < oldest) {
      oldest = seen_position;
      chosen = i;
    }
  }
  pg_atomic_write_u64(&bucket[chosen], slot);
  pg_atomic_fetch_add_u64(&header->entries, 1);
  pg_atomic_fetch_add_u64(&header->items, static_cast<int64>(items));
}

size_t max_payload_bytes() {
  if (!available()) return 0;
  return std::min<uint64>(kMaxEntryBytes, header->ring_bytes / 16);
}

Stats stats() {
  Stats result;
  result.hits = hits;
  result.misses = misses;
  if (!available()) return result;
  result.size_bytes = header->ring_bytes + header->slot_count * sizeof(pg_atomic_uint64);
  result.entries = pg_atomic_read_u64(&header->entries);
  result.bytes_written = pg_atomic_read_u64(&header->reserved);
  result.items_written = pg_atomic_read_u64(&header->items);
  return result;
}

}  // namespace agentauthz::pg::shared_cache
