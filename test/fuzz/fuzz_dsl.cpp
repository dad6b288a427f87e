// libFuzzer target for the DSL front end: arbitrary bytes either compile
// into a model or raise a ModelError with a position, never anything else,
// and a model that compiles can be evaluated (no tuples) without crashing.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/evaluator.h"
#include "core/interner.h"
#include "core/memory_reader.h"
#include "core/model.h"

namespace {

using namespace agentauthz::core;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_dsl: %s: %s\n", what, detail.c_str());
  std::abort();
}

// Runs check and both lists once per relation (first 32) over an empty
// store; only the depth error may escape.
void evaluate(const std::shared_ptr<const Model>& model) {
  MemoryReader reader;
  Interner interner;
  Evaluator evaluator(model, reader, interner);
  size_t relations = std::min<size_t>(model->relation_count(), 32);
  for (size_t r = 0; r < relations; ++r) {
    const RelationInfo& info = model->relation(static_cast<RelationId>(r));
    Object object{info.type, interner.intern("o")};
    Subject subject{info.type, interner.intern("s"), -1};
    Subject userset{info.type, interner.intern("o"), info.id};
    try {
      evaluator.check(subject, info.id, object);
      if (!evaluator.check(userset, info.id, object))
        fail("a userset lacks its own relation", info.name);
      std::vector<Symbol> ids;
      evaluator.list_objects(subject, info.id, &ids);
      if (!ids.empty()) fail("list_objects found objects in an empty store", info.name);
      std::vector<Subject> subjects;
      evaluator.list_subjects(object, info.id, Subject{info.type, 0, -1}, &subjects);
      if (!subjects.empty()) fail("list_subjects found subjects in an empty store", info.name);
    } catch (const Error& error) {
      if (error.kind() != ErrorKind::DepthExceeded) fail("evaluation raised", error.what());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::shared_ptr<const Model> model;
  try {
    model = Model::from_dsl(text);
  } catch (const ModelError& error) {
    if (error.line() < 1 || error.column() < 1) fail("error without a position", error.what());
    if (error.kind() != ErrorKind::InvalidModel)
      fail("model error of the wrong kind", error.what());
    return 0;
  } catch (const std::exception& error) {
    fail("unexpected exception", error.what());
  }
  // Names resolve back to what they name.
  for (size_t t = 0; t < model->type_count(); ++t) {
    const TypeInfo& type = model->type(static_cast<TypeId>(t));
    if (model->find_type(type.name) != static_cast<TypeId>(t)) fail("type lookup", type.name);
    for (RelationId r : type.relations)
      if (model->find_relation(static_cast<TypeId>(t), model->relation(r).name) != r)
        fail("relation lookup", model->relation(r).name);
  }
  evaluate(model);
  return 0;
}
