#include "core/json/json_parse.h"

#include <utility>
#include <vector>

#include "core/utf8.h"

namespace agentauthz::core::json {

namespace {

// Recursive-descent reader over the text; the first error stops it.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  bool parse_document(Value* out, std::string* error) {
    skip_space();
    if (!parse_value(out, 0)) return report(error);
    skip_space();
    if (at_ != text_.size()) {
      fail("unexpected text after the value");
      return report(error);
    }
    return true;
  }

 private:
  bool report(std::string* error) {
    if (error) *error = message_ + " at offset " + std::to_string(fail_at_);
    return false;
  }

  bool fail(const char* message) {
    if (message_.empty()) {
      message_ = message;
      fail_at_ = at_;
    }
    return false;
  }

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }

  bool consume(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  // Parses one value of any kind at the cursor.
  bool parse_value(Value* out, int depth) {
    if (at_ >= text_.size()) return fail("unexpected end of text");
    char c = text_[at_];
    if (c == '{' || c == '[') {
      if (depth >= kMaxJsonDepth) return fail("nesting too deep");
      return c == '{' ? parse_object(out, depth + 1) : parse_array(out, depth + 1);
    }
    if (c == '"') {
      std::string text;
      if (!parse_string(&text)) return false;
      *out = Value::string(std::move(text));
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(out);
    if (consume("true")) {
      *out = Value::boolean(true);
      return true;
    }
    if (consume("false")) {
      *out = Value::boolean(false);
      return true;
    }
    if (consume("null")) {
      *out = Value();
      return true;
    }
    return fail("unexpected character");
  }

  // Parses an object; the cursor is on '{'.
  bool parse_object(Value* out, int depth) {
    ++at_;
    std::vector<Value::Member> members;
    skip_space();
    if (at_ < text_.size() && text_[at_] == '}') {
      ++at_;
      *out = Value::object(std::move(members));
      return true;
    }
    for (;;) {
      skip_space();
      if (at_ >= text_.size() || text_[at_] != '"') return fail("expected a member name");
      std::string key;
      if (!parse_string(&key)) return false;
      skip_space();
      if (at_ >= text_.size() || text_[at_] != ':') return fail("expected ':'");
      ++at_;
      skip_space();
      Value value;
      if (!parse_value(&value, depth)) return false;
      members.emplace_back(std::move(key), std::move(value));
      skip_space();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        continue;
      }
      if (at_ < text_.size() && text_[at_] == '}') {
        ++at_;
        *out = Value::object(std::move(members));
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  // Parses an array; the cursor is on '['.
  bool parse_array(Value* out, int depth) {
    ++at_;
    std::vector<Value> items;
    skip_space();
    if (at_ < text_.size() && text_[at_] == ']') {
      ++at_;
      *out = Value::array(std::move(items));
      return true;
    }
    for (;;) {
      skip_space();
      Value item;
      if (!parse_value(&item, depth)) return false;
      items.push_back(std::move(item));
      skip_space();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        continue;
      }
      if (at_ < text_.size() && text_[at_] == ']') {
        ++at_;
        *out = Value::array(std::move(items));
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  bool digit_at(size_t i) const { return i < text_.size() && text_[i] >= '0' && text_[i] <= '9'; }

  // Parses a number in RFC 8259's grammar and keeps its text.
  bool parse_number(Value* out) {
    size_t start = at_;
    if (text_[at_] == '-') ++at_;
    if (!digit_at(at_)) return fail("expected a digit");
    if (text_[at_] == '0') {
      ++at_;
      if (digit_at(at_)) return fail("leading zero in a number");
    } else {
      while (digit_at(at_)) ++at_;
    }
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (!digit_at(at_)) return fail("expected a digit after '.'");
      while (digit_at(at_)) ++at_;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (!digit_at(at_)) return fail("expected a digit in the exponent");
      while (digit_at(at_)) ++at_;
    }
    *out = Value::number(std::string(text_.substr(start, at_ - start)));
    return true;
  }

  // Reads four hex digits of a \u escape.
  bool hex4(unsigned* code) {
    if (at_ + 4 > text_.size()) return fail("short \\u escape");
    unsigned value = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[at_++];
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= c - '0';
      else if (c >= 'a' && c <= 'f')
        value |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        value |= c - 'A' + 10;
      else
        return fail("bad hex digit in \\u escape");
    }
    *code = value;
    return true;
  }

  // Reads a \u escape (the cursor is after "\u"), joining surrogate pairs.
  bool parse_unicode_escape(std::string* out) {
    unsigned code = 0;
    if (!hex4(&code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return fail("unpaired low surrogate");
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (!consume("\\u")) return fail("unpaired high surrogate");
      unsigned low = 0;
      if (!hex4(&low)) return false;
      if (low < 0xDC00 || low > 0xDFFF) return fail("unpaired high surrogate");
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    append_utf8(code, out);
    return true;
  }

  // Copies one well-formed multi-byte UTF-8 sequence at the cursor.
  bool copy_utf8_sequence(std::string* out) {
    auto lead = static_cast<unsigned char>(text_[at_]);
    int length = lead >= 0xC2 && lead <= 0xDF   ? 2
                 : lead >= 0xE0 && lead <= 0xEF ? 3
                 : lead >= 0xF0 && lead <= 0xF4 ? 4
                                                : 0;
    if (length == 0 || at_ + length > text_.size()) return false;
    unsigned code = lead & (0x7F >> length);
    for (int i = 1; i < length; ++i) {
      auto next = static_cast<unsigned char>(text_[at_ + i]);
      if ((next & 0xC0) != 0x80) return false;
      code = code << 6 | (next & 0x3F);
    }
    if ((length == 3 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
        (length == 4 && (code < 0x10000 || code > 0x10FFFF)))
      return false;
    out->append(text_.substr(at_, length));
    at_ += length;
    return true;
  }

  // Parses a string literal; the cursor is on the opening quote.
  bool parse_string(std::string* out) {
    ++at_;
    for (;;) {
      if (at_ >= text_.size()) return fail("unterminated string");
      auto c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c >= 0x80) {
        if (!copy_utf8_sequence(out)) return fail("invalid UTF-8 in a string");
        continue;
      }
      if (c < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        ++at_;
        continue;
      }
      ++at_;
      if (at_ >= text_.size()) return fail("unterminated string");
      char e = text_[at_++];
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u':
          if (!parse_unicode_escape(out)) return false;
          break;
        default:
          --at_;
          return fail("bad escape in a string");
      }
    }
  }

  std::string_view text_;
  size_t at_ = 0;
  std::string message_;
  size_t fail_at_ = 0;
};

}  // namespace

bool parse(std::string_view text, Value* out, std::string* error) {
  Value value;
  Parser parser(text);
  if (!parser.parse_document(&value, error)) return false;
  *out = std::move(value);
  return true;
}

}  // namespace agentauthz::core::json
