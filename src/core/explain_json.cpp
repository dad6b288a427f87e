#include "core/explain_json.h"

#include <cstdio>
#include <vector>

namespace agentauthz::core {

// Appends `text` as a JSON string literal.
void append_json_string(std::string* out, std::string_view text) {
  out->push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\r':
        out->append("\\r");
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

namespace {

void append_field(std::string* out, const char* name, const std::string& value) {
  if (value.empty()) return;
  out->append(",\"").append(name).append("\":");
  append_json_string(out, value);
}

// Appends a proof node and its children as JSON.
void append_proof(std::string* out, const Proof& proof) {
  out->append("{\"rule\":");
  append_json_string(out, proof.rule);
  out->append(",\"allowed\":").append(proof.allowed ? "true" : "false");
  append_field(out, "object", proof.object);
  append_field(out, "relation", proof.relation);
  append_field(out, "tuple", proof.tuple);
  append_field(out, "note", proof.note);
  if (!proof.condition.empty()) {
    // The values are a JSON object's text the evaluator produced.
    out->append(R"(,"condition":{"name":)");
    append_json_string(out, proof.condition);
    out->append(R"(,"met":)").append(proof.condition_met ? "true" : "false");
    if (!proof.condition_values.empty())
      out->append(R"(,"values":)").append(proof.condition_values);
    out->push_back('}');
  }
  if (!proof.children.empty()) {
    out->append(",\"children\":[");
    for (size_t i = 0; i < proof.children.size(); ++i) {
      if (i) out->push_back(',');
      append_proof(out, proof.children[i]);
    }
    out->push_back(']');
  }
  out->push_back('}');
}

// Collects, in order, the tuples of the branches that granted.
void collect_path(const Proof& proof, std::vector<const std::string*>* path) {
  if (!proof.allowed) return;
  if (!proof.tuple.empty()) path->push_back(&proof.tuple);
  for (const Proof& child : proof.children) collect_path(child, path);
}

}  // namespace

// Formats an explain() answer as JSON.
std::string explain_to_json(bool allowed, const std::string& subject, const std::string& relation,
                            const std::string& object, const Proof& proof) {
  std::string out = "{\"allowed\":";
  out.append(allowed ? "true" : "false");
  append_field(&out, "subject", subject);
  append_field(&out, "relation", relation);
  append_field(&out, "object", object);
  if (allowed) {
    std::vector<const std::string*> path;
    collect_path(proof, &path);
    out.append(",\"path\":[");
    for (size_t i = 0; i < path.size(); ++i) {
      if (i) out.push_back(',');
      append_json_string(&out, *path[i]);
    }
    out.push_back(']');
  }
  out.append(",\"proof\":");
  append_proof(&out, proof);
  out.push_back('}');
  return out;
}

}  // namespace agentauthz::core
