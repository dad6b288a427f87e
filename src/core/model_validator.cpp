#include "core/model_validator.h"

#include <string>
#include <unordered_map>

#include "core/model_validator_internal.h"
#include "core/name_rules.h"

namespace agentauthz::core {

namespace model_validator_detail {

namespace {

// Tells whether name is one of the words OpenFGA reserves for its own
// rewrite vocabulary.
bool is_self_or_this(std::string_view name) { return name == "self" || name == "this"; }

}  // namespace

// Formats the line of pos for "first defined at" notes.
std::string line_of(SourcePos pos) { return "line " + std::to_string(pos.line); }

// Explains why name (of the given kind and length limit) is not a valid
// name; the caller knows it is invalid.
std::string invalid_name_reason(std::string_view kind, std::string_view name,
                                std::size_t max_length) {
  if (name.empty()) {
    return "a " + std::string(kind) + " name cannot be empty";
  }
  if (name.size() > max_length) {
    return std::string(kind) + " name " + quote(name) + " is " + std::to_string(name.size()) +
           " bytes long; at most " + std::to_string(max_length) + " are allowed";
  }
  if (is_reserved_word(name)) {
    return quote(name) + " is a keyword and cannot name a " + std::string(kind);
  }
  return quote(name) + " is not a valid " + std::string(kind) +
         " name: names start with a letter or '_' and contain only letters, digits, '_' and '-'";
}

// Checks type and relation names: syntax, length, reserved, duplicates.
void check_names(const ModelAst& model) {
  std::unordered_map<std::string_view, SourcePos> type_positions;
  for (const TypeAst& type : model.types) {
    if (!is_valid_type_name(type.name)) {
      fail_at(type.pos, invalid_name_reason("type", type.name, kMaxTypeNameLength));
    }
    if (is_self_or_this(type.name)) {
      fail_at(type.pos, "a type cannot be named 'self' or 'this'");
    }
    auto [it, inserted] = type_positions.emplace(type.name, type.pos);
    if (!inserted) {
      fail_at(type.pos, "type " + quote(type.name) + " is defined twice (first at " +
                            line_of(it->second) + ")");
    }
    std::unordered_map<std::string_view, SourcePos> relation_positions;
    for (const RelationAst& relation : type.relations) {
      if (!is_valid_relation_name(relation.name)) {
        fail_at(relation.pos,
                invalid_name_reason("relation", relation.name, kMaxRelationNameLength));
      }
      if (is_self_or_this(relation.name)) {
        fail_at(relation.pos, "a relation cannot be named 'self' or 'this'");
      }
      auto [rel_it, rel_inserted] = relation_positions.emplace(relation.name, relation.pos);
      if (!rel_inserted) {
        fail_at(relation.pos, "relation " + quote(relation.name) + " is defined twice in type " +
                                  quote(type.name) + " (first at " + line_of(rel_it->second) + ")");
      }
    }
  }
}

}  // namespace model_validator_detail

// Checks model; throws ModelError at the first problem found.
void validate_model(const ModelAst& model) {
  using namespace model_validator_detail;
  // The AST keeps no position for the header, so header problems point at
  // the first line, where the header belongs.
  const SourcePos header_pos{1, 1};
  if (model.schema_version != "1.1") {
    fail_at(header_pos, "schema " + quote(model.schema_version) +
                            " is not supported; only schema 1.1 is supported");
  }
  if (model.types.empty()) {
    fail_at(header_pos, "a model must define at least one type");
  }
  check_names(model);
  check_condition_declarations(model);
  const ModelIndex index(model);
  check_references(model, index);
  check_condition_references(model);
  // Entry points before cycles: a cycle with no way in is reported as the
  // missing entry point it causes, as OpenFGA does.
  const ComputedGraph graph = build_computed_graph(index);
  check_entry_points(index, graph);
  check_computed_cycles(index, graph);
  // Last, as openfga/language's validator reports it after everything else.
  check_unused_conditions(model);
}

}  // namespace agentauthz::core
