#include "core/dsl_lexer.h"

#include <cstdio>

#include "core/dsl_condition_body.h"
#include "core/error.h"
#include "core/name_rules.h"

namespace agentauthz::core {

namespace {

// Tells whether c is a blank inside a line (OpenFGA: space, tab, form feed).
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// Tells whether c is a decimal digit.
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Maps a word to its keyword kind, or Identifier when it is no keyword.
TokenKind keyword_kind(std::string_view word) {
  struct Keyword {
    std::string_view text;
    TokenKind kind;
  };
  static constexpr Keyword kKeywords[] = {
      {"model", TokenKind::KwModel},
      {"schema", TokenKind::KwSchema},
      {"type", TokenKind::KwType},
      {"relations", TokenKind::KwRelations},
      {"relation", TokenKind::KwRelation},
      {"define", TokenKind::KwDefine},
      {"and", TokenKind::KwAnd},
      {"or", TokenKind::KwOr},
      {"from", TokenKind::KwFrom},
      {"with", TokenKind::KwWith},
      {"condition", TokenKind::KwCondition},
      {"module", TokenKind::KwModule},
      {"extend", TokenKind::KwExtend},
      {"in", TokenKind::KwReserved},
      {"true", TokenKind::KwReserved},
      {"false", TokenKind::KwReserved},
      {"null", TokenKind::KwReserved},
  };
  for (const Keyword& keyword : kKeywords) {
    if (word == keyword.text) {
      return keyword.kind;
    }
  }
  return TokenKind::Identifier;
}

}  // namespace

// Prepares to lex text, which must outlive the lexer.
DslLexer::DslLexer(std::string_view text) : text_(text) {}

// Returns the next token without consuming it.
const Token& DslLexer::peek() {
  if (!peeked_) {
    peeked_ = lex();
  }
  return *peeked_;
}

// Returns the next token and consumes it.
Token DslLexer::next() {
  Token token = peek();
  peeked_.reset();
  return token;
}

// Returns the position of the next unread byte.
SourcePos DslLexer::here() const {
  return SourcePos{line_, static_cast<int>(offset_ - line_start_) + 1};
}

// Tells whether the next unread byte starts a line break.
bool DslLexer::at_line_break() const {
  return offset_ < text_.size() && (text_[offset_] == '\n' || text_[offset_] == '\r');
}

// Consumes one line break: "\n", "\r\n" or a lone "\r".
void DslLexer::consume_line_break() {
  if (text_[offset_] == '\r' && offset_ + 1 < text_.size() && text_[offset_ + 1] == '\n') {
    ++offset_;
  }
  ++offset_;
  ++line_;
  line_start_ = offset_;
}

// Skips blanks and a comment up to (not including) the line break; tells
// whether anything was skipped.
bool DslLexer::skip_blanks_and_comment() {
  const std::size_t start = offset_;
  while (offset_ < text_.size() && is_blank(text_[offset_])) {
    ++offset_;
  }
  if (offset_ < text_.size() && text_[offset_] == '#') {
    // Only a '#' that opens a line or follows a blank starts a comment;
    // anywhere else it separates a type from a relation.
    const bool opens_comment = offset_ == line_start_ || offset_ > start;
    if (opens_comment) {
      while (offset_ < text_.size() && !at_line_break()) {
        ++offset_;
      }
    }
  }
  return offset_ > start;
}

// Produces the next token from the input.
Token DslLexer::lex() {
  const bool space_before = skip_blanks_and_comment();
  const SourcePos pos = here();
  if (offset_ >= text_.size()) {
    return Token{TokenKind::End, {}, pos, space_before};
  }
  if (at_line_break()) {
    Token token = lex_after_newline(pos);
    token.space_before = space_before;
    return token;
  }
  const char c = text_[offset_];
  TokenKind kind;
  switch (c) {
    case '[':
      kind = TokenKind::LBracket;
      break;
    case ']':
      kind = TokenKind::RBracket;
      break;
    case '(':
      kind = TokenKind::LParen;
      break;
    case ')':
      kind = TokenKind::RParen;
      break;
    case ',':
      kind = TokenKind::Comma;
      break;
    case ':':
      kind = TokenKind::Colon;
      break;
    case '#':
      kind = TokenKind::Hash;
      break;
    case '*':
      kind = TokenKind::Star;
      break;
    case '<':
    case '>':
    case '{':
      if (!condition_header_) {
        fail_unexpected_char();
      }
      kind = c == '<' ? TokenKind::LAngle : c == '>' ? TokenKind::RAngle : TokenKind::LBrace;
      break;
    default:
      if (is_identifier_start(c)) {
        return lex_word(pos, space_before);
      }
      if (is_digit(c)) {
        return lex_version(pos, space_before);
      }
      fail_unexpected_char();
  }
  Token token{kind, text_.substr(offset_, 1), pos, space_before};
  ++offset_;
  return token;
}

// Consumes a run of line breaks, blank lines and comment-only lines as one
// Newline token starting at pos.
Token DslLexer::lex_after_newline(SourcePos pos) {
  const std::size_t start = offset_;
  consume_line_break();
  for (;;) {
    skip_blanks_and_comment();
    if (!at_line_break()) {
      break;
    }
    consume_line_break();
  }
  return Token{TokenKind::Newline, text_.substr(start, 1), pos, false};
}

// Makes `<`, `>` and `{` tokens (on) or unexpected characters (off).
void DslLexer::set_condition_header(bool on) { condition_header_ = on; }

// Reads a condition's CEL body up to and including its closing `}`.
ConditionBody DslLexer::read_condition_body(SourcePos open_brace) {
  const ScannedConditionBody body = scan_condition_body(text_, offset_);
  if (body.unclosed_string != ScannedConditionBody::kNone) {
    const SourcePos pos = position_at(body.unclosed_string);
    throw ModelError(pos.line, pos.column, "this triple-quoted string is never closed");
  }
  if (body.close == ScannedConditionBody::kNone) {
    throw ModelError(open_brace.line, open_brace.column,
                     "the '{' of this condition has no matching '}'");
  }
  ConditionBody result{body.expression, position_at(body.start)};
  advance_to(body.close + 1);
  return result;
}

// Returns the position of offset (not before the cursor), counting columns
// in characters, as CEL does, rather than bytes.
SourcePos DslLexer::position_at(std::size_t offset) const {
  SourcePos pos{line_, 1};
  std::size_t line_start = line_start_;
  for (std::size_t i = offset_; i < offset; ++i) {
    const char c = text_[i];
    if (c == '\n' || (c == '\r' && (i + 1 >= text_.size() || text_[i + 1] != '\n'))) {
      ++pos.line;
      line_start = i + 1;
    }
  }
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) {
      ++pos.column;  // not a UTF-8 continuation byte
    }
  }
  return pos;
}

// Moves the cursor forward to offset, keeping line counts.
void DslLexer::advance_to(std::size_t offset) {
  while (offset_ < offset) {
    if (at_line_break()) {
      consume_line_break();
    } else {
      ++offset_;
    }
  }
}

// Lexes an identifier or keyword starting at pos.
Token DslLexer::lex_word(SourcePos pos, bool space_before) {
  const std::size_t start = offset_;
  while (offset_ < text_.size() && is_identifier_char(text_[offset_])) {
    ++offset_;
  }
  std::string_view word = text_.substr(start, offset_ - start);
  if (word == "but") {
    // OpenFGA lexes `but not` as one token, with exactly one space.
    constexpr std::string_view kNot = " not";
    const std::size_t after = offset_ + kNot.size();
    if (text_.substr(offset_, kNot.size()) == kNot &&
        (after >= text_.size() || !is_identifier_char(text_[after]))) {
      offset_ = after;
      return Token{TokenKind::KwButNot, text_.substr(start, offset_ - start), pos, space_before};
    }
  }
  return Token{keyword_kind(word), word, pos, space_before};
}

// Lexes a run of digits and dots (a schema version) starting at pos.
Token DslLexer::lex_version(SourcePos pos, bool space_before) {
  const std::size_t start = offset_;
  while (offset_ < text_.size() && (is_digit(text_[offset_]) || text_[offset_] == '.')) {
    ++offset_;
  }
  return Token{TokenKind::Version, text_.substr(start, offset_ - start), pos, space_before};
}

// Throws a ModelError naming the unexpected byte at the current position.
void DslLexer::fail_unexpected_char() const {
  const auto c = static_cast<unsigned char>(text_[offset_]);
  char what[32];
  if (c >= 0x21 && c <= 0x7e) {
    std::snprintf(what, sizeof what, "'%c'", static_cast<char>(c));
  } else {
    std::snprintf(what, sizeof what, "byte 0x%02X", static_cast<unsigned>(c));
  }
  const SourcePos pos = here();
  throw ModelError(pos.line, pos.column, std::string("unexpected character ") + what);
}

// Tells whether token can name a type, relation or condition.
bool is_definable_name(const Token& token) {
  switch (token.kind) {
    case TokenKind::Identifier:
    case TokenKind::KwModel:
    case TokenKind::KwSchema:
    case TokenKind::KwType:
    case TokenKind::KwRelation:
    case TokenKind::KwModule:
    case TokenKind::KwExtend:
    case TokenKind::KwCondition:
    case TokenKind::KwReserved:
      return true;
    default:
      return false;
  }
}

// Describes a token for error messages.
std::string describe_token(const Token& token) {
  switch (token.kind) {
    case TokenKind::End:
      return "end of input";
    case TokenKind::Newline:
      return "end of line";
    default:
      break;
  }
  // Names can be up to a megabyte long; an error message need not be.
  constexpr std::size_t kMaxShown = 40;
  if (token.text.size() > kMaxShown) {
    return "'" + std::string(token.text.substr(0, kMaxShown)) + "...'";
  }
  return "'" + std::string(token.text) + "'";
}

}  // namespace agentauthz::core
