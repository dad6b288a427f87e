#include "core/json/json_value.h"

#include <cstdio>
#include <unordered_map>

namespace agentauthz::core::json {

namespace {

const std::vector<Value> kNoItems;
const std::vector<Value::Member> kNoMembers;

// Appends text as a JSON string literal.
void append_quoted(const std::string& text, std::string* out) {
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          *out += buffer;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

// Appends the value as compact JSON.
void dump_into(const Value& value, std::string* out) {
  switch (value.kind()) {
    case Kind::Null:
      *out += "null";
      return;
    case Kind::Bool:
      *out += value.as_bool() ? "true" : "false";
      return;
    case Kind::Number:
      *out += value.text();
      return;
    case Kind::String:
      append_quoted(value.text(), out);
      return;
    case Kind::Array: {
      out->push_back('[');
      bool first = true;
      for (const Value& item : value.items()) {
        if (!first) out->push_back(',');
        first = false;
        dump_into(item, out);
      }
      out->push_back(']');
      return;
    }
    case Kind::Object: {
      out->push_back('{');
      bool first = true;
      for (const Value::Member& member : value.members()) {
        if (!first) out->push_back(',');
        first = false;
        append_quoted(member.first, out);
        out->push_back(':');
        dump_into(member.second, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

Value Value::boolean(bool b) {
  Value value;
  value.kind_ = Kind::Bool;
  value.bool_ = b;
  return value;
}

Value Value::number(std::string number_text) {
  Value value;
  value.kind_ = Kind::Number;
  value.text_ = std::move(number_text);
  return value;
}

Value Value::string(std::string text) {
  Value value;
  value.kind_ = Kind::String;
  value.text_ = std::move(text);
  return value;
}

Value Value::array(std::vector<Value> items) {
  Value value;
  value.kind_ = Kind::Array;
  value.items_ = std::make_shared<const std::vector<Value>>(std::move(items));
  return value;
}

// Builds an object, later duplicates replacing earlier ones in place.
Value Value::object(std::vector<Member> members) {
  std::vector<Member> unique;
  unique.reserve(members.size());
  std::unordered_map<std::string, size_t> position;
  for (Member& member : members) {
    auto [at, inserted] = position.emplace(member.first, unique.size());
    if (inserted) {
      unique.push_back(std::move(member));
    } else {
      unique[at->second].second = std::move(member.second);
    }
  }
  Value value;
  value.kind_ = Kind::Object;
  value.members_ = std::make_shared<const std::vector<Member>>(std::move(unique));
  return value;
}

const std::vector<Value>& Value::items() const { return items_ ? *items_ : kNoItems; }

const std::vector<Value::Member>& Value::members() const {
  return members_ ? *members_ : kNoMembers;
}

const Value* Value::find(const std::string& key) const {
  for (const Member& member : members())
    if (member.first == key) return &member.second;
  return nullptr;
}

std::string Value::dump() const {
  std::string out;
  dump_into(*this, &out);
  return out;
}

}  // namespace agentauthz::core::json
