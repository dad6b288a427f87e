// A minimal JSON document model: what a condition's context arrives as.
// The PostgreSQL side builds it from jsonb, tests and fuzzers from text
// (json_parse.h). Numbers keep their text so that integers beyond 2^53
// convert exactly; objects keep their members in order, keys unique.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace agentauthz::core::json {

enum class Kind { Null, Bool, Number, String, Array, Object };

class Value {
 public:
  using Member = std::pair<std::string, Value>;

  Value() = default;  // null
  static Value boolean(bool b);
  // number_text must be a JSON number (the parser and jsonb guarantee it).
  static Value number(std::string number_text);
  static Value string(std::string text);
  static Value array(std::vector<Value> items);
  // Later members replace earlier ones with the same key, as jsonb does.
  static Value object(std::vector<Member> members);

  Kind kind() const { return kind_; }
  bool as_bool() const { return bool_; }
  // The number's text, or the string's contents.
  const std::string& text() const { return text_; }
  const std::vector<Value>& items() const;
  const std::vector<Member>& members() const;
  // The member named key, or nullptr.
  const Value* find(const std::string& key) const;

  // Serializes the value as compact JSON text.
  std::string dump() const;

 private:
  Kind kind_ = Kind::Null;
  bool bool_ = false;
  std::string text_;
  std::shared_ptr<const std::vector<Value>> items_;
  std::shared_ptr<const std::vector<Member>> members_;
};

}  // namespace agentauthz::core::json
