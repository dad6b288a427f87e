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
//
// A condition (`condition name(p: list<int>) { CEL }`) has a header with
// tokens of its own (`<`, `>`, `{`), lexed only while the parser says it is
// in one, as OpenFGA's lexer does in its CONDITION_DEF mode; the CEL body
// after `{` is read raw (see dsl_condition_body.h).
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
  LAngle,  // `<`, only in a condition's header
  RAngle,  // `>`, only in a condition's header
  LBrace,  // `{`, only in a condition's header; its body is read raw
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

// A condition's CEL expression as read from between its braces.
struct ConditionBody {
  std::string expression;  // comments removed, surrounding blanks trimmed
  SourcePos pos;           // its first character (the `}` when empty)
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

  // Makes `<`, `>` and `{` tokens (on) or unexpected characters (off).
  // Call it only when no token has been peeked.
  void set_condition_header(bool on);

  // Reads the body of a condition whose `{` was the last token consumed
  // (none peeked): the CEL expression up to the matching `}`, which is
  // consumed too. Throws ModelError when the body never ends.
  ConditionBody read_condition_body(SourcePos open_brace);

 private:
  Token lex();
  Token lex_after_newline(SourcePos pos);
  Token lex_word(SourcePos pos, bool space_before);
  Token lex_version(SourcePos pos, bool space_before);
  SourcePos position_at(std::size_t offset) const;
  void advance_to(std::size_t offset);
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
  bool condition_header_ = false;
};

// Describes a token for error messages: `'define'`, `end of line`, ...
std::string describe_token(const Token& token);

// Tells whether token can name a type, relation or condition, where it is
// defined and where it is referred to: an identifier, or a keyword that
// only starts a statement (model, schema, type, relation, module, extend,
// condition) or has no use (in, true, false, null). OpenFGA's server
// accepts `type module`, and its test models use it.
bool is_definable_name(const Token& token);

}  // namespace agentauthz::core
