// libFuzzer target for the CEL front end: arbitrary bytes either compile
// against a fixed set of parameters or yield a CompileError with a
// position inside the text, never a crash or an exception; a program that
// compiles evaluates without throwing, with and without parameter values.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "core/cel/program.h"

namespace {

using namespace agentauthz::core::cel;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "fuzz_cel_parse: %s: %s\n", what, detail.c_str());
  std::abort();
}

// One parameter of each kind of type the DSL can declare.
const std::vector<Parameter>& parameters() {
  static const std::vector<Parameter> params = {
      {"b", parse_type("bool")},        {"s", parse_type("string")},
      {"i", parse_type("int")},         {"u", parse_type("uint")},
      {"d", parse_type("double")},      {"t", parse_type("timestamp")},
      {"dur", parse_type("duration")},  {"ip", parse_type("ipaddress")},
      {"a", parse_type("any")},         {"l", parse_type("list<int>")},
      {"m", parse_type("map<string>")}, {"ml", parse_type("map<list<any>>")}};
  return params;
}

// Sample values for the parameters above.
Activation sample_values() {
  Activation activation;
  activation.set("b", Value::boolean(true));
  activation.set("s", Value::string("hello"));
  activation.set("i", Value::integer(-7));
  activation.set("u", Value::unsigned_integer(7));
  activation.set("d", Value::floating(2.5));
  activation.set("t", Value::timestamp(1700000000, 5));
  activation.set("dur", Value::duration(3600000000000));
  IpAddress address;
  address.v4 = true;
  address.bytes[0] = 10;
  activation.set("ip", Value::ip(address));
  activation.set("a", Value::list({Value::integer(1), Value::string("x")}));
  activation.set("l", Value::list({Value::integer(1), Value::integer(2)}));
  activation.set("m", Value::map({{Value::string("k"), Value::string("v")}}));
  activation.set("ml", Value::map({{Value::string("k"), Value::list({Value()})}}));
  return activation;
}

// Checks an outcome's fields agree with each other.
void check_outcome(const Outcome& outcome, uint64_t limit) {
  if (outcome.result == Result::Error && outcome.error.empty()) fail("error without message", "");
  if (outcome.result == Result::Missing && outcome.missing.empty())
    fail("missing without names", "");
  if (outcome.result != Result::Error && outcome.cost > limit) fail("cost above the limit", "");
}

}  // namespace

// Compiles the input and checks the error or evaluates the program.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    CompileError error;
    auto program = Program::compile(text, parameters(), &error);
    if (!program) {
      if (error.message.empty()) fail("error without a message", std::string(text));
      if (error.line < 1 || error.column < 1) fail("error without a position", error.message);
      int lines = 1;
      for (char c : text) lines += c == '\n';
      if (error.line > lines) fail("error line beyond the text", error.message);
      return 0;
    }
    const uint64_t limit = 10000;
    check_outcome(program->evaluate(Activation(), limit), limit);
    check_outcome(program->evaluate(sample_values(), limit), limit);
  } catch (const std::exception& error) {
    fail("unexpected exception", error.what());
  }
  return 0;
}
