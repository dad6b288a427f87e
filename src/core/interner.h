// Interning of object ids: each distinct string gets a small integer, so
// that the evaluator hashes and compares integers instead of strings.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace agentauthz::core {

using Symbol = uint32_t;

class Interner {
 public:
  // The id `*` always interns to kWildcard.
  static constexpr Symbol kWildcard = 0;

  Interner();
  Interner(const Interner&) = delete;
  Interner& operator=(const Interner&) = delete;

  // Returns the symbol of `text`, adding it when new.
  Symbol intern(std::string_view text);
  // Returns the symbol of `text` when already interned, or false.
  bool find(std::string_view text, Symbol* out) const;
  // Returns the text of a symbol; valid until clear().
  std::string_view text(Symbol symbol) const { return texts_[symbol]; }
  size_t size() const { return texts_.size(); }
  // The memory held: the strings' arena and every table, as allocated.
  size_t bytes() const;
  // Forgets every symbol but the wildcard, and frees what they took.
  void clear();
  // Changes on every clear(): symbols obtained before are void.
  uint64_t generation() const { return generation_; }

 private:
  std::string_view store(std::string_view text);
  // Returns the slot holding `text` or the empty slot where it would go.
  size_t probe(std::string_view text, uint32_t hash) const;
  void grow();

  std::vector<std::unique_ptr<char[]>> chunks_;
  size_t chunk_used_ = 0;
  size_t chunk_size_ = 0;
  size_t arena_bytes_ = 0;
  std::vector<std::string_view> texts_;
  // Open addressing: the text's hash in the high 32 bits and symbol + 1 in
  // the low ones, 0 when empty -- a probe compares hashes without reading
  // anything else, and only a matching hash reads the text.
  std::vector<uint64_t> slots_;
  uint64_t generation_ = 0;
};

}  // namespace agentauthz::core
