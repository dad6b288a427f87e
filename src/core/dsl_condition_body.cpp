#include "core/dsl_condition_body.h"

namespace agentauthz::core {

namespace {

// Tells whether c is a blank inside a line (as the DSL lexer counts them).
bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

// Tells whether c is whitespace that may surround an expression.
bool is_space(char c) { return is_blank(c) || c == '\n' || c == '\r'; }

// Tells whether c ends a line.
bool is_line_break(char c) { return c == '\n' || c == '\r'; }

// Tells whether c may appear in a CEL identifier or string prefix.
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Copies a condition body into an expression, skipping comments and
// stepping over string literals whole, until the balancing `}`.
class BodyScanner {
 public:
  // Prepares to scan text from offset from.
  BodyScanner(std::string_view text, std::size_t from) : text_(text), at_(from) {}

  // Scans to the closing `}` (or the end of text) and returns the result.
  ScannedConditionBody scan() {
    int depth = 0;
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c == '}' && depth == 0) {
        result_.close = at_;
        break;
      }
      if (c == '{' || c == '}') {
        depth += c == '{' ? 1 : -1;
        copy(1);
      } else if (starts_comment()) {
        drop_trailing_blanks();
        skip_to_line_break();
      } else if (c == '"' || c == '\'') {
        if (!copy_string()) {
          return std::move(result_);
        }
      } else if (c == '\r') {
        const bool lone = at_ + 1 >= text_.size() || text_[at_ + 1] != '\n';
        append(lone ? '\n' : '\r', at_);
        ++at_;
        line_start_ = at_;
      } else {
        if (c == '\n') {
          line_start_ = at_ + 1;
        }
        copy(1);
      }
    }
    finish();
    return std::move(result_);
  }

 private:
  // Tells whether the text at the cursor opens a `//` or `#` comment.
  bool starts_comment() const {
    const char c = text_[at_];
    if (c == '/') {
      return at_ + 1 < text_.size() && text_[at_ + 1] == '/';
    }
    return c == '#' && (at_ == line_start_ || (at_ > 0 && is_blank(text_[at_ - 1])));
  }

  // Drops the blanks copied before a comment: they would end a line.
  void drop_trailing_blanks() {
    std::string& expression = result_.expression;
    while (!expression.empty() && is_blank(expression.back())) {
      expression.pop_back();
    }
  }

  // Skips to (not past) the end of the line.
  void skip_to_line_break() {
    while (at_ < text_.size() && !is_line_break(text_[at_])) {
      ++at_;
    }
  }

  // Copies the string literal at the cursor (and any prefix already
  // copied); returns false for a triple-quoted string that never closes.
  // A one-line string that reaches the end of its line stops there, for
  // the CEL compiler to report.
  bool copy_string() {
    const std::size_t open = at_;
    const char quote = text_[at_];
    const bool raw = has_raw_prefix(open);
    const bool triple = at_triple(quote);
    copy(triple ? 3 : 1);
    for (;;) {
      if (at_ >= text_.size()) {
        if (triple) {
          result_.unclosed_string = open;
          return false;
        }
        return true;
      }
      const char c = text_[at_];
      if (!triple && is_line_break(c)) {
        return true;
      }
      if (c == '\\' && !raw && at_ + 1 < text_.size()) {
        copy(2);
        continue;
      }
      if (c == quote && (!triple || at_triple(quote))) {
        copy(triple ? 3 : 1);
        return true;
      }
      copy(1);
    }
  }

  // Tells whether three quote characters start at the cursor.
  bool at_triple(char quote) const {
    return at_ + 2 < text_.size() && text_[at_] == quote && text_[at_ + 1] == quote &&
           text_[at_ + 2] == quote;
  }

  // Tells whether the quote at offset quote is preceded by a raw-string
  // prefix (r, R, or b/B then r/R), as opposed to a plain or bytes one.
  bool has_raw_prefix(std::size_t quote) const {
    std::size_t begin = quote;
    while (begin > 0 && is_word_char(text_[begin - 1])) {
      --begin;
    }
    const std::string_view prefix = text_.substr(begin, quote - begin);
    if (prefix.size() == 2 && (prefix[0] == 'b' || prefix[0] == 'B')) {
      return prefix[1] == 'r' || prefix[1] == 'R';
    }
    return prefix == "r" || prefix == "R";
  }

  // Copies count characters from the cursor into the expression.
  void copy(std::size_t count) {
    for (std::size_t i = 0; i < count && at_ < text_.size(); ++i, ++at_) {
      append(text_[at_], at_);
    }
  }

  // Appends c, read at offset from, remembering where the expression starts.
  void append(char c, std::size_t from) {
    if (result_.start == ScannedConditionBody::kNone) {
      if (is_space(c)) {
        return;  // leading whitespace is trimmed
      }
      result_.start = from;
    }
    result_.expression += c;
  }

  // Trims trailing whitespace; an empty expression starts at the `}`.
  void finish() {
    std::string& expression = result_.expression;
    while (!expression.empty() && is_space(expression.back())) {
      expression.pop_back();
    }
    if (result_.start == ScannedConditionBody::kNone) {
      result_.start = result_.close;
    }
  }

  std::string_view text_;
  std::size_t at_;
  // Where the current line starts. The body's first line started before
  // its `{`, so a `#` right after the `{` opens no comment.
  std::size_t line_start_ = ScannedConditionBody::kNone;
  ScannedConditionBody result_;
};

}  // namespace

// Scans text from offset from (just after the `{`) to the matching `}`.
ScannedConditionBody scan_condition_body(std::string_view text, std::size_t from) {
  return BodyScanner(text, from).scan();
}

}  // namespace agentauthz::core
