// Splits OpenFGA DSL text into tokens, one at a time, on demand.
//
// The DSL is line-oriented: `type`, `relations` and `define` each start a
// line and some operators need whitespace around them. So the lexer keeps
// line breaks as tokens (a run of blank or comment-only lines is one
// Newline) and records on each token whether whitespace preceded it, and
// the parser enforces the rest.
//
// Comments follow OpenFGA's rule: `#` starts a comment when it is the first
// non-blank character of a line or follows whitespace; `group#member` is a
// userset, not a comment.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/model_ast.h"

namespace agentauthz::core {

enum class TokenKind {
  End,         // end of input
  Newline,     // one or more line breaks
  Identifier,  // letter or '_' then letters, digits, '_' or '-'
  Version,     // digits and dots, e.g. `1.1`
  LBracket,
  RBracket,
  LParen,
  RParen,
  Comma,
  Colon,
  Hash,
  Star,
  KwModel,
  KwSchema,
  KwType,
  KwRelations,
  KwRelation,
  KwDefine,
  KwAnd,
  KwOr,
  KwButNot,  // `but not`, exactly one space between the words
  KwFrom,
  KwWith,
  KwCondition,
  KwModule,
  KwExtend,
  KwReserved,  // `in`, `true`, `false`, `null`: keywords with no use here
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string_view text;  // points into the lexed input
  SourcePos pos;
  bool space_before = false;  // blanks between this and the previous token on its line
};

class DslLexer {
 public:
  // Prepares to lex text, which must outlive the lexer.
  explicit DslLexer(std::string_view text);

  // Returns the next token without consuming it.
  const Token& peek();

  // Returns the next token and consumes it.
  Token next();

 private:
  Token lex();
  Token lex_after_newline(SourcePos pos);
  Token lex_word(SourcePos pos, bool space_before);
  Token lex_version(SourcePos pos, bool space_before);
  bool skip_blanks_and_comment();
  bool at_line_break() const;
  void consume_line_break();
  SourcePos here() const;
  [[noreturn]] void fail_unexpected_char() const;

  std::string_view text_;
  std::size_t offset_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  std::optional<Token> peeked_;
};

// Describes a token for error messages: `'define'`, `end of line`, ...
std::string describe_token(const Token& token);

}  // namespace agentauthz::core
