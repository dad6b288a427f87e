#include "core/interner.h"

#include <cstring>

#include "core/flat_map.h"

namespace agentauthz::core {

namespace {
constexpr size_t kChunkBytes = size_t{64} * 1024;
constexpr size_t kInitialSlots = 1024;
}  // namespace

Interner::Interner() { clear(); }

// Copies `text` into the arena so the view outlives the caller's buffer.
std::string_view Interner::store(std::string_view text) {
  if (text.empty()) return std::string_view();
  if (chunks_.empty() || chunk_used_ + text.size() > chunk_size_) {
    size_t size = text.size() > kChunkBytes ? text.size() : kChunkBytes;
    chunks_.push_back(std::make_unique<char[]>(size));
    chunk_size_ = size;
    chunk_used_ = 0;
    arena_bytes_ += size;
  }
  char* dest = chunks_.back().get() + chunk_used_;
  std::memcpy(dest, text.data(), text.size());
  chunk_used_ += text.size();
  return std::string_view(dest, text.size());
}

namespace {
constexpr int kHashShift = 32;
Symbol slot_symbol(uint64_t slot) { return static_cast<Symbol>(slot) - 1; }
}  // namespace

size_t Interner::probe(std::string_view text, uint32_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint64_t slot = slots_[i];
    if (slot == 0) return i;
    if (slot >> kHashShift == hash && texts_[slot_symbol(slot)] == text) return i;
  }
}

void Interner::grow() {
  std::vector<uint64_t> old;
  old.swap(slots_);
  slots_.assign(old.size() * 2, 0);
  size_t mask = slots_.size() - 1;
  for (uint64_t slot : old) {
    if (slot == 0) continue;
    size_t i = (slot >> kHashShift) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

Symbol Interner::intern(std::string_view text) {
  auto hash = static_cast<uint32_t>(hash_bytes(text.data(), text.size()));
  size_t i = probe(text, hash);
  if (slots_[i] != 0) return slot_symbol(slots_[i]);
  auto symbol = static_cast<Symbol>(texts_.size());
  texts_.push_back(store(text));
  slots_[i] = uint64_t{hash} << kHashShift | (uint64_t{symbol} + 1);
  if (texts_.size() * 2 > slots_.size()) grow();
  return symbol;
}

bool Interner::find(std::string_view text, Symbol* out) const {
  auto hash = static_cast<uint32_t>(hash_bytes(text.data(), text.size()));
  size_t i = probe(text, hash);
  if (slots_[i] == 0) return false;
  *out = slot_symbol(slots_[i]);
  return true;
}

size_t Interner::bytes() const {
  return arena_bytes_ + chunks_.capacity() * sizeof(chunks_[0]) +
         texts_.capacity() * sizeof(std::string_view) + slots_.capacity() * sizeof(uint64_t);
}

void Interner::clear() {
  // Swapped with empty vectors: clear() alone would keep their capacity.
  std::vector<std::unique_ptr<char[]>>().swap(chunks_);
  chunk_used_ = chunk_size_ = arena_bytes_ = 0;
  std::vector<std::string_view>().swap(texts_);
  std::vector<uint64_t>(kInitialSlots, 0).swap(slots_);
  ++generation_;
  intern("*");
}

}  // namespace agentauthz::core
