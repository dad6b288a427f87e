#include "core/interner.h"

#include <cstring>

namespace agentauthz::core {

namespace {
constexpr size_t kChunkBytes = 64 * 1024;
}

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

Symbol Interner::intern(std::string_view text) {
  auto found = index_.find(text);
  if (found != index_.end()) return found->second;
  std::string_view stored = store(text);
  auto symbol = static_cast<Symbol>(texts_.size());
  texts_.push_back(stored);
  index_.emplace(stored, symbol);
  return symbol;
}

bool Interner::find(std::string_view text, Symbol* out) const {
  auto found = index_.find(text);
  if (found == index_.end()) return false;
  *out = found->second;
  return true;
}

void Interner::clear() {
  chunks_.clear();
  chunk_used_ = chunk_size_ = arena_bytes_ = 0;
  texts_.clear();
  index_.clear();
  intern("*");
}

}  // namespace agentauthz::core
