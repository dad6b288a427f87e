#include "pg/query/contextual_tuples.h"

#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tuple_validation.h"
#include "pg/common/guard.h"
#include "pg/common/jsonb_text.h"

namespace agentauthz::pg {

namespace {

struct RawTuple {
  std::string_view object;
  std::string_view relation;
  std::string_view subject;
  std::optional<std::string_view> condition_name;
  JsonbValue* condition_context = nullptr;  // inside the jsonb argument
};

// Returns the member `name` of a jsonb object, or nullptr.
JsonbValue* member(JsonbContainer* container, const char* name) {
  JsonbValue key;
  key.type = jbvString;
  key.val.string.val = const_cast<char*>(name);
  key.val.string.len = static_cast<int>(strlen(name));
  return findJsonbValueFromContainer(container, JB_FOBJECT, &key);
}

// Returns the string member `name` of a jsonb object, or false.
bool string_member(JsonbContainer* container, const char* name, std::string_view* out) {
  JsonbValue* value = member(container, name);
  if (value == nullptr || value->type != jbvString) return false;
  *out = std::string_view(value->val.string.val, static_cast<size_t>(value->val.string.len));
  return true;
}

// Reads a contextual tuple's "condition" member, {"name": ..., "context":
// ...} (absent or null: none); returns false when it is not an object with
// a string "name". The context's form is the validation's to judge.
bool condition_member(JsonbContainer* tuple, RawTuple* out) {
  JsonbValue* condition = member(tuple, "condition");
  if (condition == nullptr || condition->type == jbvNull) return true;
  if (condition->type != jbvBinary || !JsonContainerIsObject(condition->val.binary.data))
    return false;
  JsonbContainer* fields = condition->val.binary.data;
  std::string_view name;
  if (!string_member(fields, "name", &name)) return false;
  out->condition_name = name;
  JsonbValue* context = member(fields, "context");
  if (context != nullptr && context->type != jbvNull) out->condition_context = context;
  return true;
}

// Identifies a tuple's condition: equal keys, the same grant. An absent
// context and an empty one are the same (both print from jsonb, so equal
// contexts print equal).
std::string condition_key(const core::TupleCondition& condition) {
  std::string key(condition.name);
  key += '\n';
  if (condition.context != "{}") key += condition.context;
  return key;
}

}  // namespace

// Reads a jsonb array of contextual tuples, each validated against the model.
std::unique_ptr<core::MemoryReader> parse_contextual_tuples(Jsonb* tuples,
                                                            const core::Model& model) {
  std::vector<RawTuple> raw;
  const char* problem = nullptr;
  int bad_index = -1;
  pg_guard([&] {
    if (JB_ROOT_IS_SCALAR(tuples) || !JB_ROOT_IS_ARRAY(tuples)) {
      problem = "contextual tuples must be a JSON array";
      return;
    }
    uint32 count = JB_ROOT_COUNT(tuples);
    for (uint32 i = 0; i < count; ++i) {
      JsonbValue* element = getIthJsonbValueFromContainer(&tuples->root, i);
      if (element == nullptr || element->type != jbvBinary ||
          !JsonContainerIsObject(element->val.binary.data)) {
        problem = "each contextual tuple must be a JSON object";
        bad_index = static_cast<int>(i);
        return;
      }
      JsonbContainer* object = element->val.binary.data;
      RawTuple tuple;
      bool ok = string_member(object, "object", &tuple.object) &&
                string_member(object, "relation", &tuple.relation) &&
                (string_member(object, "subject", &tuple.subject) ||
                 string_member(object, "user", &tuple.subject));
      if (!ok) {
        problem =
            R"(each contextual tuple needs string members "object", "relation" and "subject")";
        bad_index = static_cast<int>(i);
        return;
      }
      if (!condition_member(object, &tuple)) {
        problem =
            R"(a contextual tuple's "condition" must be a JSON object with a string member "name")";
        bad_index = static_cast<int>(i);
        return;
      }
      raw.push_back(tuple);
    }
  });
  if (problem != nullptr)
    throw core::Error(core::ErrorKind::InvalidArgument, problem,
                      bad_index >= 0 ? "element " + std::to_string(bad_index) : std::string());

  auto reader = std::make_unique<core::MemoryReader>();
  for (const RawTuple& tuple : raw) {
    core::ConditionInput condition;
    condition.name = tuple.condition_name;
    std::string context;
    if (tuple.condition_context != nullptr) {
      context = jsonb_value_text(tuple.condition_context);
      condition.context = context;
    }
    try {
      core::validate_tuple(model, tuple.object, tuple.relation, tuple.subject, condition);
    } catch (const core::Error& e) {
      throw core::Error(
          e.kind() == core::ErrorKind::LimitExceeded ? e.kind() : core::ErrorKind::InvalidArgument,
          std::string("invalid contextual tuple: ") + e.what(), e.detail());
    }
    reader->add(tuple.object, tuple.relation, tuple.subject, tuple.condition_name.value_or(""),
                context);
  }
  return reader;
}

// A contextual tuple and a stored one of the same key are two grants when
// their conditions differ, but contains() reports one condition: an
// unconditional tuple (which grants whatever the other's condition says)
// wins, and otherwise the contextual one, as OpenFGA's ReadUserTuple does.
bool LayeredReader::contains(const core::ObjectKey& object, std::string_view relation,
                             const core::SubjectKey& subject, core::TupleCondition* condition) {
  core::TupleCondition contextual;
  if (!contextual_.contains(object, relation, subject, &contextual))
    return stored_.contains(object, relation, subject, condition);
  if (!contextual.empty()) {
    core::TupleCondition stored;
    if (stored_.contains(object, relation, subject, &stored) && stored.empty()) contextual = stored;
  }
  if (condition != nullptr) *condition = contextual;
  return true;
}

// Visits the contextual tuples' subjects, then the stored ones but those
// that repeat a contextual tuple exactly (a different condition is another
// grant and is visited).
void LayeredReader::read_subjects(const core::ObjectKey& object, std::string_view relation,
                                  core::SubjectFilter filter, core::SubjectVisitor visit) {
  std::set<std::string> seen;
  bool stopped = false;
  contextual_.read_subjects(object, relation, filter, [&](const core::SubjectKey& s) {
    seen.insert(core::format_subject(s) + '\n' + condition_key(s.condition));
    stopped = !visit(s);
    return !stopped;
  });
  if (stopped) return;
  stored_.read_subjects(object, relation, filter, [&](const core::SubjectKey& s) {
    if (!seen.empty() && seen.count(core::format_subject(s) + '\n' + condition_key(s.condition)))
      return true;
    return visit(s);
  });
}

// Visits the contextual tuples' objects, then the stored ones not already
// visited with the same condition.
void LayeredReader::read_objects(const core::SubjectKey& subject, std::string_view relation,
                                 std::string_view object_type, core::ObjectVisitor visit) {
  std::set<std::string> seen;
  bool stopped = false;
  contextual_.read_objects(subject, relation, object_type, [&](const core::ObjectKey& o) {
    seen.insert(core::format_object(o.type, o.id) + '\n' + condition_key(o.condition));
    stopped = !visit(o);
    return !stopped;
  });
  if (stopped) return;
  stored_.read_objects(subject, relation, object_type, [&](const core::ObjectKey& o) {
    if (!seen.empty() &&
        seen.count(core::format_object(o.type, o.id) + '\n' + condition_key(o.condition)))
      return true;
    return visit(o);
  });
}

}  // namespace agentauthz::pg
