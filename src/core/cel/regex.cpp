#include "core/cel/regex.h"

#include <cctype>
#include <memory>
#include <utility>

namespace agentauthz::core::cel {

namespace {

using Instruction = Regex::Instruction;
using Range = Regex::Range;

constexpr int kMaxRepeat = 1000;  // RE2's limit on {n,m}
constexpr size_t kMaxInstructions = 20000;
constexpr int kMaxGroupDepth = 100;

struct RegexFailure {
  std::string message;
};

// Decodes one UTF-8 code point at *at (invalid bytes decode as themselves).
uint32_t next_code_point(std::string_view text, size_t* at) {
  auto c = static_cast<unsigned char>(text[*at]);
  int length = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (*at + length > text.size()) length = 1;
  uint32_t code = length == 1 ? c : c & (0x7F >> length);
  for (int i = 1; i < length; ++i) code = code << 6 | (text[*at + i] & 0x3F);
  *at += length;
  return code;
}

Instruction make(Instruction::Kind kind) {
  Instruction instruction;
  instruction.kind = kind;
  return instruction;
}

// A parsed fragment: instructions with relative jump targets.
using Fragment = std::vector<Instruction>;

// Appends b to a, shifting b's targets.
void append(Fragment* a, Fragment b) {
  int offset = static_cast<int>(a->size());
  for (Instruction& instruction : b) {
    if (instruction.kind == Instruction::Split || instruction.kind == Instruction::Jump) {
      instruction.x += offset;
      instruction.y += offset;
    }
    a->push_back(std::move(instruction));
  }
  if (a->size() > kMaxInstructions) throw RegexFailure{"expression too large"};
}

Instruction split(int x, int y) {
  Instruction instruction = make(Instruction::Split);
  instruction.x = x;
  instruction.y = y;
  return instruction;
}

Instruction jump(int x) {
  Instruction instruction = make(Instruction::Jump);
  instruction.x = instruction.y = x;
  return instruction;
}

// Recursive-descent parser that emits Pike VM code directly.
class Compiler {
 public:
  explicit Compiler(std::string_view pattern) : pattern_(pattern) {}

  Fragment compile() {
    Fragment body = alternation(0);
    if (at_ < pattern_.size()) throw RegexFailure{"unexpected )"};
    return body;
  }

 private:
  bool done() const { return at_ >= pattern_.size(); }
  char peek() const { return pattern_[at_]; }

  Fragment alternation(int depth) {
    if (depth > kMaxGroupDepth) throw RegexFailure{"expression nests too deeply"};
    Fragment left = concatenation(depth);
    while (!done() && peek() == '|') {
      ++at_;
      Fragment right = concatenation(depth);
      Fragment both;
      both.push_back(split(1, static_cast<int>(left.size()) + 2));
      append(&both, std::move(left));
      both.push_back(jump(static_cast<int>(both.size() + right.size()) + 1));
      append(&both, std::move(right));
      left = std::move(both);
    }
    return left;
  }

  Fragment concatenation(int depth) {
    Fragment sequence;
    while (!done() && peek() != '|' && peek() != ')') append(&sequence, repetition(depth));
    return sequence;
  }

  // Parses an atom and any quantifiers after it.
  Fragment repetition(int depth) {
    Fragment atom_code = atom(depth);
    while (!done()) {
      int low;
      int high;  // high < 0: unbounded
      char c = peek();
      if (c == '*' || c == '+' || c == '?') {
        ++at_;
        low = c == '+' ? 1 : 0;
        high = c == '?' ? 1 : -1;
      } else if (c == '{' && counted(&low, &high)) {
      } else {
        break;
      }
      if (!done() && peek() == '?') ++at_;  // lazy: same language
      if (!done() && (peek() == '*' || peek() == '+' || peek() == '?'))
        throw RegexFailure{"invalid nested repetition operator"};
      atom_code = repeat(atom_code, low, high);
    }
    return atom_code;
  }

  // Reads {n}, {n,} or {n,m}; false (cursor unchanged) if it is a literal '{'.
  bool counted(int* low, int* high) {
    size_t start = at_;
    auto number = [&](int* out) {
      size_t begin = at_;
      long value = 0;
      while (!done() && peek() >= '0' && peek() <= '9') {
        value = value * 10 + (peek() - '0');
        if (value > 100000) value = 100000;
        ++at_;
      }
      *out = static_cast<int>(value);
      return at_ > begin;
    };
    ++at_;
    if (!number(low)) {
      at_ = start;
      return false;
    }
    *high = *low;
    if (!done() && peek() == ',') {
      ++at_;
      if (!number(high)) *high = -1;
    }
    if (done() || peek() != '}') {
      at_ = start;
      return false;
    }
    ++at_;
    if (*low > kMaxRepeat || *high > kMaxRepeat || (*high >= 0 && *high < *low))
      throw RegexFailure{"invalid repeat count"};
    return true;
  }

  // Expands x{low,high} into copies of x and optional copies.
  static Fragment repeat(const Fragment& x, int low, int high) {
    Fragment out;
    for (int i = 0; i < low; ++i) append(&out, x);
    if (high < 0) {
      // x*: L: split(body, exit); body; jump L
      Fragment star;
      star.push_back(split(1, static_cast<int>(x.size()) + 2));
      append(&star, x);
      star.push_back(jump(0));
      append(&out, std::move(star));
      return out;
    }
    for (int i = low; i < high; ++i) {
      Fragment optional;
      optional.push_back(split(1, static_cast<int>(x.size()) + 1));
      append(&optional, x);
      append(&out, std::move(optional));
    }
    return out;
  }

  static Fragment single(Instruction instruction) {
    Fragment fragment;
    fragment.push_back(std::move(instruction));
    return fragment;
  }

  static Instruction literal(uint32_t code) {
    Instruction instruction = make(Instruction::Class);
    instruction.ranges.push_back({code, code});
    return instruction;
  }

  // Parses one atom: a group, class, anchor, escape or literal.
  Fragment atom(int depth) {
    char c = peek();
    switch (c) {
      case '(':
        return group(depth);
      case '.': {
        ++at_;
        Instruction any = make(Instruction::Class);
        any.ranges.push_back({'\n', '\n'});
        any.negated = true;
        return single(any);
      }
      case '^':
        ++at_;
        return single(make(Instruction::Begin));
      case '$':
        ++at_;
        return single(make(Instruction::End));
      case '[':
        return single(char_class());
      case '*':
      case '+':
      case '?':
        throw RegexFailure{"missing argument to repetition operator"};
      case '\\': {
        ++at_;
        Instruction instruction = make(Instruction::Class);
        escape(&instruction, false);
        return single(instruction);
      }
      default:
        return single(literal(next_code_point(pattern_, &at_)));
    }
  }

  Fragment group(int depth) {
    ++at_;
    if (!done() && peek() == '?') {
      if (pattern_.substr(at_, 2) != "?:")
        throw RegexFailure{"unsupported group syntax (flags and named groups)"};
      at_ += 2;
    }
    Fragment inner = alternation(depth + 1);
    if (done() || peek() != ')') throw RegexFailure{"missing closing )"};
    ++at_;
    return inner;
  }

  // Adds the ranges of \d, \w or \s (negated for upper case).
  static void add_perl_class(char c, Instruction* instruction, bool* negate) {
    *negate = c == 'D' || c == 'W' || c == 'S';
    switch (c | 0x20) {
      case 'd':
        instruction->ranges.push_back({'0', '9'});
        break;
      case 'w':
        instruction->ranges.push_back({'0', '9'});
        instruction->ranges.push_back({'A', 'Z'});
        instruction->ranges.push_back({'_', '_'});
        instruction->ranges.push_back({'a', 'z'});
        break;
      default:
        instruction->ranges.push_back({'\t', '\n'});
        instruction->ranges.push_back({'\f', '\r'});
        instruction->ranges.push_back({' ', ' '});
    }
  }

  // Decodes an escape after '\' into *instruction (a class). Outside a
  // class a negated Perl class sets negated; inside one it is refused.
  void escape(Instruction* instruction, bool in_class) {
    if (done()) throw RegexFailure{"trailing backslash at end of expression"};
    char c = peek();
    ++at_;
    if (c == 'd' || c == 'w' || c == 's' || c == 'D' || c == 'W' || c == 'S') {
      bool negate = false;
      add_perl_class(c, instruction, &negate);
      if (negate && in_class) throw RegexFailure{"unsupported negated class inside []"};
      instruction->negated = negate;
      return;
    }
    uint32_t code;
    switch (c) {
      case 'n':
        code = '\n';
        break;
      case 't':
        code = '\t';
        break;
      case 'r':
        code = '\r';
        break;
      case 'f':
        code = '\f';
        break;
      case 'v':
        code = '\v';
        break;
      case 'a':
        code = '\a';
        break;
      case 'x':
        code = hex_escape();
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x80 && !std::isalnum(static_cast<unsigned char>(c))) {
          code = static_cast<unsigned char>(c);
          break;
        }
        throw RegexFailure{std::string("invalid escape sequence: \\") + c};
    }
    instruction->ranges.push_back({code, code});
  }

  // Reads \xHH or \x{H...} after the backslash and x.
  uint32_t hex_escape() {
    auto hex = [](char h) {
      if (h >= '0' && h <= '9') return h - '0';
      if (h >= 'a' && h <= 'f') return h - 'a' + 10;
      if (h >= 'A' && h <= 'F') return h - 'A' + 10;
      return -1;
    };
    uint32_t code = 0;
    if (!done() && peek() == '{') {
      ++at_;
      int digits = 0;
      while (!done() && peek() != '}') {
        int value = hex(peek());
        if (value < 0 || ++digits > 8) throw RegexFailure{"invalid escape sequence: \\x"};
        code = code << 4 | value;
        ++at_;
      }
      if (done() || digits == 0 || code > 0x10FFFF)
        throw RegexFailure{"invalid escape sequence: \\x"};
      ++at_;
      return code;
    }
    for (int i = 0; i < 2; ++i) {
      if (done() || hex(peek()) < 0) throw RegexFailure{"invalid escape sequence: \\x"};
      code = code << 4 | hex(peek());
      ++at_;
    }
    return code;
  }

  // Parses [...] into a class instruction.
  Instruction char_class() {
    ++at_;
    Instruction instruction = make(Instruction::Class);
    if (!done() && peek() == '^') {
      instruction.negated = true;
      ++at_;
    }
    bool first = true;
    while (!done() && (peek() != ']' || first)) {
      first = false;
      if (pattern_.substr(at_, 2) == "[:") throw RegexFailure{"unsupported [[:class:]]"};
      uint32_t low;
      if (peek() == '\\') {
        ++at_;
        Instruction item = make(Instruction::Class);
        escape(&item, true);
        if (item.ranges.size() > 1 || item.ranges[0].low != item.ranges[0].high) {
          instruction.ranges.insert(instruction.ranges.end(), item.ranges.begin(),
                                    item.ranges.end());
          continue;
        }
        low = item.ranges[0].low;
      } else {
        low = next_code_point(pattern_, &at_);
      }
      uint32_t high = low;
      if (at_ + 1 < pattern_.size() && peek() == '-' && pattern_[at_ + 1] != ']') {
        ++at_;
        if (peek() == '\\') {
          ++at_;
          Instruction item = make(Instruction::Class);
          escape(&item, true);
          if (item.ranges.size() != 1) throw RegexFailure{"invalid character class range"};
          high = item.ranges[0].low;
        } else {
          high = next_code_point(pattern_, &at_);
        }
        if (high < low) throw RegexFailure{"invalid character class range"};
      }
      instruction.ranges.push_back({low, high});
    }
    if (done()) throw RegexFailure{"missing closing ]"};
    ++at_;
    return instruction;
  }

  std::string_view pattern_;
  size_t at_ = 0;
};

bool in_class(const Instruction& instruction, uint32_t code) {
  bool found = false;
  for (const Range& range : instruction.ranges)
    if (code >= range.low && code <= range.high) found = true;
  return found != instruction.negated;
}

// Adds pc and what it reaches without consuming input to the thread list.
void add_thread(const std::vector<Instruction>& program, std::vector<int>* list,
                std::vector<size_t>* seen, size_t generation, int pc, size_t at, size_t size,
                std::vector<int>* stack) {
  stack->clear();
  stack->push_back(pc);
  while (!stack->empty()) {
    int current = stack->back();
    stack->pop_back();
    if ((*seen)[current] == generation) continue;
    (*seen)[current] = generation;
    const Instruction& instruction = program[current];
    switch (instruction.kind) {
      case Instruction::Split:
        stack->push_back(instruction.y);
        stack->push_back(instruction.x);
        break;
      case Instruction::Jump:
        stack->push_back(instruction.x);
        break;
      case Instruction::Begin:
        if (at == 0) stack->push_back(current + 1);
        break;
      case Instruction::End:
        if (at == size) stack->push_back(current + 1);
        break;
      default:
        list->push_back(current);
    }
  }
}

}  // namespace

std::unique_ptr<Regex> Regex::compile(std::string_view pattern, std::string* error) {
  try {
    Compiler compiler(pattern);
    Fragment code = compiler.compile();
    code.push_back(make(Instruction::Match));
    auto regex = std::make_unique<Regex>();
    regex->program_ = std::move(code);
    return regex;
  } catch (const RegexFailure& failure) {
    if (error)
      *error = "error parsing regexp: " + failure.message + ": `" + std::string(pattern) + "`";
    return nullptr;
  }
}

// Runs every thread in lockstep over the text (unanchored search).
bool Regex::search(std::string_view text) const {
  const size_t n = program_.size();
  std::vector<int> current;
  std::vector<int> next;
  std::vector<int> stack;
  std::vector<size_t> seen(n, 0);
  size_t generation = 1;
  size_t at = 0;
  add_thread(program_, &current, &seen, generation, 0, 0, text.size(), &stack);
  for (;;) {
    for (int pc : current)
      if (program_[pc].kind == Instruction::Match) return true;
    if (at >= text.size()) return false;
    size_t after = at;
    uint32_t code = next_code_point(text, &after);
    ++generation;
    next.clear();
    for (int pc : current)
      if (program_[pc].kind == Instruction::Class && in_class(program_[pc], code))
        add_thread(program_, &next, &seen, generation, pc + 1, after, text.size(), &stack);
    // Unanchored: a new attempt may start at every position.
    add_thread(program_, &next, &seen, generation, 0, after, text.size(), &stack);
    at = after;
    std::swap(current, next);
  }
}

}  // namespace agentauthz::core::cel
