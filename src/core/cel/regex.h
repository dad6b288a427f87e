// A small regular expression engine for CEL's matches(): RE2 syntax
// (the subset below) run by a Pike VM, so matching takes time linear in
// the text for any pattern; there is no backtracking to exploit.
//
// Supported: literals, '.', '^', '$', [classes] with ranges and negation,
// \d \w \s \D \W \S, escaped punctuation, \n \t \r \f \v \a \x41 \x{263a},
// groups ( ) and (?: ), alternation |, and * + ? {n} {n,} {n,m} (lazy
// forms accepted; they match the same strings). Not supported (an error
// naming them): flags (?i), named groups, \b \B, \A \z, \p{...} classes,
// [[:alpha:]] classes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace agentauthz::core::cel {

class Regex {
 public:
  // Compiles pattern; returns nullptr and sets *error (Go's wording where
  // it has one, e.g. "missing closing )") when it is invalid or unsupported.
  static std::unique_ptr<Regex> compile(std::string_view pattern, std::string* error);

  // True if the pattern matches anywhere in text (as RE2's MatchString).
  bool search(std::string_view text) const;

  struct Range {
    uint32_t low, high;
  };
  struct Instruction {
    enum Kind { Class, Split, Jump, Begin, End, Match };
    Kind kind = Match;
    int x = 0, y = 0;           // Split targets / Jump target
    std::vector<Range> ranges;  // Class
    bool negated = false;       // Class
  };

 private:
  std::vector<Instruction> program_;
};

}  // namespace agentauthz::core::cel
