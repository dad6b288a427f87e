// Splits a CEL expression into tokens (cel-spec langdef.md "Syntax"):
// identifiers, int/uint/double literals, quoted, triple-quoted, raw and
// bytes strings with CEL's escapes, operators, comments. Positions are
// 1-based line and column (columns count code points).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/utf8.h"

namespace agentauthz::core::cel {

enum class Tok {
  End,
  Error,  // text holds the message
  Ident,
  Int,  // magnitude in number; overflow if it does not fit uint64
  Uint,
  Double,
  String,  // decoded contents in text
  Bytes,
  True,
  False,
  Null,
  In,
  Reserved,  // a reserved word, which cannot be an identifier
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  Dot,
  Comma,
  Colon,
  Question,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Not,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  And,
  Or,
};

struct Token {
  Tok kind = Tok::End;
  int line = 1;
  int column = 1;
  std::string text;  // identifier, decoded string or bytes, or error message
  uint64_t number = 0;
  bool overflow = false;
  double real = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  // Returns the next token; after End or Error it keeps returning it.
  Token next();

 private:
  char peek(size_t ahead = 0) const;
  void advance(size_t count = 1);
  void skip_space_and_comments();
  Token number(Token token);
  Token quoted(Token token, bool raw, bool bytes);
  bool escape(bool bytes, std::string* out, std::string* error);
  Token error(Token token, std::string message);

  std::string_view source_;
  size_t at_ = 0;
  int line_ = 1;
  int column_ = 1;
  bool done_ = false;
  Token last_;
};

}  // namespace agentauthz::core::cel
