// An open-addressing hash map (linear probing, power-of-two capacity) for
// the evaluator's hot tables. std::unordered_map allocates a node per entry
// and chases pointers on every lookup; with hundreds of thousands of entries
// per statement that is most of the cost of a check. Entries are only
// inserted, updated or all cleared at once: no single-entry erase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace agentauthz::core {

template <typename Key, typename Value, typename Hash>
class FlatMap {
 public:
  // Returns the value stored for `key`, or nullptr.
  Value* find(const Key& key) {
    return const_cast<Value*>(static_cast<const FlatMap*>(this)->find(key));
  }
  const Value* find(const Key& key) const {
    if (size_ == 0) return nullptr;
    size_t mask = slots_.size() - 1;
    for (size_t i = Hash()(key) & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (!slot.used) return nullptr;
      if (slot.key == key) return &slot.value;
    }
  }

  // Inserts `key` with `value` unless present; returns the stored value and
  // whether it was inserted.
  std::pair<Value*, bool> insert(const Key& key, const Value& value) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    size_t mask = slots_.size() - 1;
    for (size_t i = Hash()(key) & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (!slot.used) {
        slot.used = true;
        slot.key = key;
        slot.value = value;
        ++size_;
        return {&slot.value, true};
      }
      if (slot.key == key) return {&slot.value, false};
    }
  }

  // Sets the value of `key`, inserting it when absent.
  void set(const Key& key, const Value& value) {
    auto [stored, inserted] = insert(key, value);
    if (!inserted) *stored = value;
  }

  size_t size() const { return size_; }
  size_t bytes() const { return slots_.size() * sizeof(Slot); }

  // Forgets every entry; keeps the capacity unless it grew large.
  void clear() {
    if (size_ == 0) return;
    if (slots_.size() > kKeepCapacity) {
      std::vector<Slot>().swap(slots_);
    } else {
      for (Slot& slot : slots_) slot.used = false;
    }
    size_ = 0;
  }

 private:
  struct Slot {
    Key key{};
    Value value{};
    bool used = false;
  };
  static constexpr size_t kKeepCapacity = 1u << 16;

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.resize(old.empty() ? 64 : old.size() * 2);
    size_ = 0;
    for (const Slot& slot : old)
      if (slot.used) insert(slot.key, slot.value);
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

// Mixes 64 bits well enough for linear probing on sequential ids.
inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Hashes bytes eight at a time (a multiply and a shift each), finished
// with mix64: keys and cached entries are hashed on every lookup.
inline uint64_t hash_bytes(const char* data, size_t size) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ size;
  size_t i = 0;
  for (; i + sizeof(uint64_t) <= size; i += sizeof(uint64_t)) {
    uint64_t word;
    std::memcpy(&word, data + i, sizeof(word));
    h = (h ^ word) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  if (size > i) std::memcpy(&tail, data + i, size - i);
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
  return mix64(h);
}

}  // namespace agentauthz::core
