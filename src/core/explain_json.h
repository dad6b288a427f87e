// Renders an explanation (the decision and its proof tree) as JSON.
#pragma once

#include <string>

#include "core/evaluator.h"

namespace agentauthz::core {

std::string explain_to_json(bool allowed, const std::string& subject, const std::string& relation,
                            const std::string& object, const Proof& proof);

// Appends `text` as a JSON string literal.
void append_json_string(std::string* out, std::string_view text);

}  // namespace agentauthz::core
