// SQL entry points that answer questions: check, list_objects,
// list_subjects and explain, with optional contextual tuples and a request
// context (the values tuples' conditions are evaluated with).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/evaluator.h"
#include "core/explain_json.h"
#include "core/id_list.h"
#include "pg/common/guard.h"
#include "pg/common/sql_args.h"
#include "pg/engine/engine.h"
#include "pg/query/contextual_tuples.h"
#include "pg/query/request_context.h"

namespace agentauthz::pg {

namespace {

// The optional arguments of a request: contextual tuples and context.
struct RequestArgs {
  Jsonb* contextual = nullptr;
  Jsonb* context = nullptr;
};

// An evaluator over stored tuples, or over stored plus contextual tuples,
// set to the request's context. Contextual requests get their own
// evaluator, so nothing they cause is remembered for other requests.
class Request {
 public:
  explicit Request(const RequestArgs& args) {
    Engine& engine = Engine::get();
    engine.prepare();
    core::ConditionContext context = parse_context(args.context);
    if (args.contextual == nullptr) {
      evaluator_ = &engine.evaluator();
    } else {
      tuples_ = parse_contextual_tuples(args.contextual, engine.model());
      layered_ = std::make_unique<LayeredReader>(engine.reader(), *tuples_);
      own_ = std::make_unique<core::Evaluator>(engine.model_ptr(), *layered_, engine.interner(),
                                               Engine::options());
      evaluator_ = own_.get();
    }
    evaluator_->set_context(context);
  }

  core::Evaluator& evaluator() { return *evaluator_; }
  core::RequestResolver resolver() { return evaluator_->resolver(); }

 private:
  std::unique_ptr<core::MemoryReader> tuples_;
  std::unique_ptr<LayeredReader> layered_;
  std::unique_ptr<core::Evaluator> own_;
  core::Evaluator* evaluator_ = nullptr;
};

bool run_check(std::string_view subject, std::string_view relation, std::string_view object,
               const RequestArgs& args) {
  Request request(args);
  core::RequestResolver resolve = request.resolver();
  core::Object target = resolve.object(object);
  core::RelationId rel = resolve.relation(target.type, relation);
  core::Subject who = resolve.subject(subject);
  return request.evaluator().check(who, rel, target);
}

core::IdList run_list_objects(std::string_view subject, std::string_view relation,
                              std::string_view type, const RequestArgs& args) {
  Request request(args);
  core::RequestResolver resolve = request.resolver();
  core::TypeId type_id = resolve.type(type);
  core::RelationId rel = resolve.relation(type_id, relation);
  core::Subject who = resolve.subject(subject);
  core::Evaluator& evaluator = request.evaluator();
  core::IdList ids;
  const core::Interner& interner = Engine::get().interner();
  auto interned = [&](core::Symbol id) { ids.add(interner.text(id)); };
  // Raising on depth, the listing meets every object as a node: none is read.
  auto read = [&](std::string_view id) {
    ids.add(id);
    return true;
  };
  evaluator.list_objects(who, rel, core::Evaluator::ObjectSink{interned, read});
  ids.sort_unique();
  return ids;
}

std::vector<std::string> run_list_subjects(std::string_view object, std::string_view relation,
                                           std::string_view subject_type, const RequestArgs& args) {
  Request request(args);
  core::RequestResolver resolve = request.resolver();
  core::Object target = resolve.object(object);
  core::RelationId rel = resolve.relation(target.type, relation);
  core::Subject filter = resolve.subject_filter(subject_type);
  std::vector<core::Subject> subjects;
  request.evaluator().list_subjects(target, rel, filter, &subjects);
  std::vector<std::string> rows;
  rows.reserve(subjects.size());
  for (const core::Subject& s : subjects) rows.push_back(request.evaluator().format(s));
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::string run_explain(std::string_view subject, std::string_view relation,
                        std::string_view object, const RequestArgs& args) {
  Request request(args);
  core::RequestResolver resolve = request.resolver();
  core::Object target = resolve.object(object);
  core::RelationId rel = resolve.relation(target.type, relation);
  core::Subject who = resolve.subject(subject);
  core::Proof proof;
  bool allowed = request.evaluator().explain(who, rel, target, &proof);
  return core::explain_to_json(allowed, std::string(subject), std::string(relation),
                               std::string(object), proof);
}

Jsonb* optional_jsonb_arg(FunctionCallInfo fcinfo, int n) {
  if (PG_NARGS() <= n || PG_ARGISNULL(n)) return nullptr;
  return PG_GETARG_JSONB_P(n);
}

// Reads the optional arguments that follow the three request strings.
RequestArgs request_args(FunctionCallInfo fcinfo) {
  return RequestArgs{optional_jsonb_arg(fcinfo, 3), optional_jsonb_arg(fcinfo, 4)};
}

// True when one of the three request strings is NULL: the answer is NULL
// (or no rows), as from the strict functions these replace.
bool null_request(FunctionCallInfo fcinfo) {
  return PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2);
}

}  // namespace

}  // namespace agentauthz::pg

using agentauthz::pg::null_request;
using agentauthz::pg::request_args;
using agentauthz::pg::text_arg;

AGENTAUTHZ_SQL_FUNCTION(agentauthz_check) {
  if (null_request(fcinfo)) PG_RETURN_NULL();
  std::string_view subject = text_arg(fcinfo, 0);
  std::string_view relation = text_arg(fcinfo, 1);
  std::string_view object = text_arg(fcinfo, 2);
  PG_RETURN_BOOL(agentauthz::pg::run_check(subject, relation, object, request_args(fcinfo)));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_list_objects) {
  if (null_request(fcinfo)) return agentauthz::pg::return_text_set(fcinfo, {});
  std::string_view subject = text_arg(fcinfo, 0);
  std::string_view relation = text_arg(fcinfo, 1);
  std::string_view type = text_arg(fcinfo, 2);
  // Rows are `type:id`, the type as given (it names one of the model's).
  return agentauthz::pg::return_text_set(
      fcinfo, std::string(type) + ":",
      agentauthz::pg::run_list_objects(subject, relation, type, request_args(fcinfo)));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_list_subjects) {
  if (null_request(fcinfo)) return agentauthz::pg::return_text_set(fcinfo, {});
  std::string_view object = text_arg(fcinfo, 0);
  std::string_view relation = text_arg(fcinfo, 1);
  std::string_view subject_type = text_arg(fcinfo, 2);
  return agentauthz::pg::return_text_set(
      fcinfo,
      agentauthz::pg::run_list_subjects(object, relation, subject_type, request_args(fcinfo)));
}

AGENTAUTHZ_SQL_FUNCTION(agentauthz_explain) {
  if (null_request(fcinfo)) PG_RETURN_NULL();
  std::string_view subject = text_arg(fcinfo, 0);
  std::string_view relation = text_arg(fcinfo, 1);
  std::string_view object = text_arg(fcinfo, 2);
  std::string json = agentauthz::pg::run_explain(subject, relation, object, request_args(fcinfo));
  Datum result = 0;
  agentauthz::pg::pg_guard(
      [&] { result = DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str())); });
  return result;
}
