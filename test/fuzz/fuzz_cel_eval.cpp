// libFuzzer target for CEL evaluation over fuzzed contexts: the input is an
// expression, a NUL byte, then a JSON context. The context is converted to
// the fixed parameters (or refused with a message) and the program is
// evaluated; evaluation must never crash, throw or exceed its cost limit
// without saying so, and must give the same outcome twice.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "core/cel/convert.h"
#include "core/cel/program.h"
#include "core/json/json_parse.h"

namespace {

using namespace agentauthz::core;
using namespace agentauthz::core::cel;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_cel_eval: %s: %s\n", what, detail.c_str());
  std::abort();
}

const std::vector<Parameter>& parameters() {
  static const std::vector<Parameter> params = {
      {"b", parse_type("bool")},       {"s", parse_type("string")},
      {"i", parse_type("int")},        {"u", parse_type("uint")},
      {"d", parse_type("double")},     {"t", parse_type("timestamp")},
      {"dur", parse_type("duration")}, {"ip", parse_type("ipaddress")},
      {"a", parse_type("any")},        {"l", parse_type("list<int>")},
      {"m", parse_type("map<any>")},   {"ls", parse_type("list<string>")}};
  return params;
}

bool same(const Outcome& x, const Outcome& y) {
  return x.result == y.result && x.partial == y.partial && x.missing == y.missing &&
         x.error == y.error && x.cost == y.cost;
}

}  // namespace

// Splits the input, compiles, binds the context and evaluates twice.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  std::string_view expression = input.substr(0, split);
  std::string_view context_text =
      split == std::string_view::npos ? std::string_view("{}") : input.substr(split + 1);
  try {
    auto program = Program::compile(expression, parameters(), nullptr);
    if (!program) return 0;
    json::Value context;
    if (!json::parse(context_text, &context, nullptr)) return 0;
    Activation activation;
    std::string error;
    if (!bind_context(context, parameters(), &activation, &error)) {
      if (error.empty()) fail("refused context without a message", std::string(context_text));
      return 0;
    }
    const uint64_t limit = 5000;
    Outcome first = program->evaluate(activation, limit);
    if (first.result == Result::Error && first.error.empty()) fail("error without a message", "");
    if (first.result != Result::Error && first.cost > limit) fail("cost above the limit", "");
    if (first.result == Result::Missing && first.missing.empty()) fail("missing without names", "");
    if (first.result != Result::Error && first.missing.empty() && first.result != first.partial)
      fail("result and partial differ with nothing missing", "");
    Outcome second = program->evaluate(activation, limit);
    if (!same(first, second)) fail("evaluation is not repeatable", std::string(expression));
  } catch (const std::exception& error) {
    fail("unexpected exception", error.what());
  }
  return 0;
}
