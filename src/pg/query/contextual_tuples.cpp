#include "pg/query/contextual_tuples.h"

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tuple_validation.h"
#include "pg/common/guard.h"

namespace agentauthz::pg {

namespace {

struct RawTuple {
  std::string_view object;
  std::string_view relation;
  std::string_view subject;
};

// Returns the string member `name` of a jsonb object, or false.
bool string_member(JsonbContainer* container, const char* name, std::string_view* out) {
  JsonbValue key;
  key.type = jbvString;
  key.val.string.val = const_cast<char*>(name);
  key.val.string.len = static_cast<int>(strlen(name));
  JsonbValue* value = findJsonbValueFromContainer(container, JB_FOBJECT, &key);
  if (value == nullptr || value->type != jbvString) return false;
  *out = std::string_view(value->val.string.val, static_cast<size_t>(value->val.string.len));
  return true;
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
      raw.push_back(tuple);
    }
  });
  if (problem != nullptr)
    throw core::Error(core::ErrorKind::InvalidArgument, problem,
                      bad_index >= 0 ? "element " + std::to_string(bad_index) : std::string());

  auto reader = std::make_unique<core::MemoryReader>();
  for (const RawTuple& tuple : raw) {
    try {
      core::validate_tuple(model, tuple.object, tuple.relation, tuple.subject);
    } catch (const core::Error& e) {
      throw core::Error(core::ErrorKind::InvalidArgument,
                        std::string("invalid contextual tuple: ") + e.what(), e.detail());
    }
    reader->add(tuple.object, tuple.relation, tuple.subject);
  }
  return reader;
}

bool LayeredReader::contains(const core::ObjectKey& object, std::string_view relation,
                             const core::SubjectKey& subject, core::TupleCondition* condition) {
  return contextual_.contains(object, relation, subject, condition) ||
         stored_.contains(object, relation, subject, condition);
}

void LayeredReader::read_subjects(const core::ObjectKey& object, std::string_view relation,
                                  core::SubjectFilter filter, core::SubjectVisitor visit) {
  bool stopped = false;
  contextual_.read_subjects(object, relation, filter, [&](const core::SubjectKey& s) {
    stopped = !visit(s);
    return !stopped;
  });
  if (!stopped) stored_.read_subjects(object, relation, filter, visit);
}

// Visits the contextual tuples' objects, then the stored ones not already visited.
void LayeredReader::read_objects(const core::SubjectKey& subject, std::string_view relation,
                                 std::string_view object_type, core::ObjectVisitor visit) {
  // Objects must be visited once: skip stored ones the contextual tuples gave.
  std::set<std::string> seen;
  bool stopped = false;
  contextual_.read_objects(subject, relation, object_type, [&](const core::ObjectKey& o) {
    seen.insert(core::format_object(o.type, o.id));
    stopped = !visit(o);
    return !stopped;
  });
  if (stopped) return;
  stored_.read_objects(subject, relation, object_type, [&](const core::ObjectKey& o) {
    if (!seen.empty() && seen.count(core::format_object(o.type, o.id))) return true;
    return visit(o);
  });
}

}  // namespace agentauthz::pg
