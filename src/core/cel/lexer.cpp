#include "core/cel/lexer.h"

#include <charconv>
#include <cmath>

namespace agentauthz::core::cel {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c); }

int hex_digit(char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// The keyword token of a word, or Ident.
Tok keyword(std::string_view word) {
  if (word == "true") return Tok::True;
  if (word == "false") return Tok::False;
  if (word == "null") return Tok::Null;
  if (word == "in") return Tok::In;
  static const char* const kReserved[] = {
      "as",  "break", "const",   "continue",  "else",   "for", "function", "if",   "import",
      "let", "loop",  "package", "namespace", "return", "var", "void",     "while"};
  for (const char* reserved : kReserved)
    if (word == reserved) return Tok::Reserved;
  return Tok::Ident;
}

}  // namespace

char Lexer::peek(size_t ahead) const {
  return at_ + ahead < source_.size() ? source_[at_ + ahead] : '\0';
}

// Moves past count bytes, keeping line and column (in code points).
void Lexer::advance(size_t count) {
  for (size_t i = 0; i < count && at_ < source_.size(); ++i) {
    char c = source_[at_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
  }
}

void Lexer::skip_space_and_comments() {
  for (;;) {
    char c = peek();
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
      advance();
    } else if (c == '/' && peek(1) == '/') {
      while (at_ < source_.size() && peek() != '\n') advance();
    } else {
      return;
    }
  }
}

Token Lexer::error(Token token, std::string message) {
  token.kind = Tok::Error;
  token.text = std::move(message);
  done_ = true;
  last_ = token;
  return token;
}

// Lexes the token at the cursor.
Token Lexer::next() {
  if (done_) return last_;
  skip_space_and_comments();
  Token token;
  token.line = line_;
  token.column = column_;
  if (at_ >= source_.size()) {
    done_ = true;
    last_ = token;
    return token;
  }
  char c = peek();
  if (is_digit(c) || (c == '.' && is_digit(peek(1)))) return number(token);
  if (c == '"' || c == '\'') return quoted(token, false, false);
  if ((c == 'r' || c == 'R') && (peek(1) == '"' || peek(1) == '\'')) {
    advance();
    return quoted(token, true, false);
  }
  if ((c == 'b' || c == 'B') && (peek(1) == '"' || peek(1) == '\'')) {
    advance();
    return quoted(token, false, true);
  }
  if ((c == 'b' || c == 'B') && (peek(1) == 'r' || peek(1) == 'R') &&
      (peek(2) == '"' || peek(2) == '\'')) {
    advance(2);
    return quoted(token, true, true);
  }
  if (is_ident_start(c)) {
    size_t start = at_;
    while (is_ident_char(peek())) advance();
    token.text = std::string(source_.substr(start, at_ - start));
    token.kind = keyword(token.text);
    return token;
  }
  struct Op {
    const char* text;
    Tok kind;
  };
  static const Op kOps[] = {
      {"==", Tok::Eq},      {"!=", Tok::Ne},      {"<=", Tok::Le},    {">=", Tok::Ge},
      {"&&", Tok::And},     {"||", Tok::Or},      {"(", Tok::LParen}, {")", Tok::RParen},
      {"[", Tok::LBracket}, {"]", Tok::RBracket}, {"{", Tok::LBrace}, {"}", Tok::RBrace},
      {".", Tok::Dot},      {",", Tok::Comma},    {":", Tok::Colon},  {"?", Tok::Question},
      {"+", Tok::Plus},     {"-", Tok::Minus},    {"*", Tok::Star},   {"/", Tok::Slash},
      {"%", Tok::Percent},  {"!", Tok::Not},      {"<", Tok::Lt},     {">", Tok::Gt}};
  for (const Op& op : kOps) {
    std::string_view text(op.text);
    if (source_.substr(at_, text.size()) == text) {
      advance(text.size());
      token.kind = op.kind;
      return token;
    }
  }
  std::string shown = static_cast<unsigned char>(c) < 0x80 ? std::string(1, c) : "non-ASCII";
  return error(token, "Syntax error: token recognition error at: '" + shown + "'");
}

// Lexes an int, uint or double literal.
Token Lexer::number(Token token) {
  size_t start = at_;
  if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X') && is_hex(peek(2))) {
    advance(2);
    uint64_t value = 0;
    while (is_hex(peek())) {
      if (value > (UINT64_MAX >> 4)) token.overflow = true;
      value = value << 4 | hex_digit(peek());
      advance();
    }
    token.number = value;
    token.kind = Tok::Int;
    if (peek() == 'u' || peek() == 'U') {
      advance();
      token.kind = Tok::Uint;
    }
    return token;
  }
  bool is_double = false;
  while (is_digit(peek())) advance();
  if (peek() == '.' && is_digit(peek(1))) {
    is_double = true;
    advance();
    while (is_digit(peek())) advance();
  }
  if ((peek() == 'e' || peek() == 'E') &&
      (is_digit(peek(1)) || ((peek(1) == '+' || peek(1) == '-') && is_digit(peek(2))))) {
    is_double = true;
    advance(2);
    while (is_digit(peek())) advance();
  }
  std::string_view text = source_.substr(start, at_ - start);
  if (is_double) {
    double value = 0;
    auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (result.ec != std::errc() || std::isinf(value))
      return error(token, "Syntax error: invalid double literal '" + std::string(text) + "'");
    token.kind = Tok::Double;
    token.real = value;
    return token;
  }
  uint64_t value = 0;
  for (char digit : text) {
    if (__builtin_mul_overflow(value, 10, &value) ||
        __builtin_add_overflow(value, static_cast<uint64_t>(digit - '0'), &value))
      token.overflow = true;
  }
  token.number = value;
  token.kind = Tok::Int;
  if (peek() == 'u' || peek() == 'U') {
    advance();
    token.kind = Tok::Uint;
  }
  return token;
}

// Decodes one escape after the backslash (the cursor is on it).
bool Lexer::escape(bool bytes, std::string* out, std::string* error) {
  char c = peek();
  auto simple = [&](char value) {
    out->push_back(value);
    advance();
    return true;
  };
  switch (c) {
    case 'a':
      return simple('\a');
    case 'b':
      return simple('\b');
    case 'f':
      return simple('\f');
    case 'n':
      return simple('\n');
    case 'r':
      return simple('\r');
    case 't':
      return simple('\t');
    case 'v':
      return simple('\v');
    case '\\':
    case '?':
    case '"':
    case '\'':
    case '`':
      return simple(c);
    default:
      break;
  }
  int width = 0;
  if (c == 'x' || c == 'X') width = 2;
  if (c == 'u') width = 4;
  if (c == 'U') width = 8;
  if (width > 0) {
    if (bytes && width > 2) {
      *error = "unicode escapes are not allowed in bytes literals";
      return false;
    }
    uint32_t code = 0;
    for (int i = 1; i <= width; ++i) {
      if (!is_hex(peek(i))) {
        *error = "invalid escape sequence";
        return false;
      }
      code = code << 4 | hex_digit(peek(i));
    }
    advance(width + 1);
    if (bytes) {
      out->push_back(static_cast<char>(code));
      return true;
    }
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      *error = "invalid unicode code point in escape";
      return false;
    }
    append_utf8(code, out);
    return true;
  }
  if (c >= '0' && c <= '3' && peek(1) >= '0' && peek(1) <= '7' && peek(2) >= '0' &&
      peek(2) <= '7') {
    uint32_t code = (c - '0') * 64 + (peek(1) - '0') * 8 + (peek(2) - '0');
    advance(3);
    if (bytes) {
      out->push_back(static_cast<char>(code));
    } else {
      append_utf8(code, out);
    }
    return true;
  }
  *error = "invalid escape sequence";
  return false;
}

// Lexes a quoted literal; the cursor is on the opening quote.
Token Lexer::quoted(Token token, bool raw, bool bytes) {
  char quote = peek();
  bool triple = peek(1) == quote && peek(2) == quote;
  advance(triple ? 3 : 1);
  std::string contents;
  for (;;) {
    if (at_ >= source_.size()) return error(token, "Syntax error: unterminated string literal");
    char c = peek();
    if (triple ? (c == quote && peek(1) == quote && peek(2) == quote) : c == quote) {
      advance(triple ? 3 : 1);
      break;
    }
    if (!triple && (c == '\n' || c == '\r'))
      return error(token, "Syntax error: newline in a quoted string literal");
    if (c == '\\' && !raw) {
      advance();
      std::string message;
      if (!escape(bytes, &contents, &message)) return error(token, "Syntax error: " + message);
      continue;
    }
    contents.push_back(c);
    advance();
  }
  token.kind = bytes ? Tok::Bytes : Tok::String;
  token.text = std::move(contents);
  return token;
}

}  // namespace agentauthz::core::cel
