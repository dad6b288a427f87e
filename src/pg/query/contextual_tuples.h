// Contextual tuples: tuples passed with a request (jsonb) that hold for that
// request only. They are validated like stored tuples and layered over the
// stored ones.
#pragma once

#include <memory>

#include "core/memory_reader.h"
#include "core/model.h"
#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Parses and validates a jsonb array of {"object","relation","subject"}
// objects ("user" is accepted for "subject", as in OpenFGA), each with an
// optional "condition": {"name": ..., "context": {...}} validated as a
// stored tuple's is; throws core::Error when malformed or not allowed by
// the model.
std::unique_ptr<core::MemoryReader> parse_contextual_tuples(Jsonb* tuples,
                                                            const core::Model& model);

// Reads stored tuples and contextual tuples as one store. A contextual
// tuple hides a stored one of the same key only when both carry the same
// condition: different conditions are different grants.
class LayeredReader : public core::TupleReader {
 public:
  LayeredReader(core::TupleReader& stored, core::MemoryReader& contextual)
      : stored_(stored), contextual_(contextual) {}

  bool contains(const core::ObjectKey& object, std::string_view relation,
                const core::SubjectKey& subject, core::TupleCondition* condition) override;
  void read_subjects(const core::ObjectKey& object, std::string_view relation,
                     core::SubjectFilter filter, core::SubjectVisitor visit) override;
  void read_objects(const core::SubjectKey& subject, std::string_view relation,
                    std::string_view object_type, core::ObjectVisitor visit) override;

 private:
  core::TupleReader& stored_;
  core::MemoryReader& contextual_;
};

}  // namespace agentauthz::pg
