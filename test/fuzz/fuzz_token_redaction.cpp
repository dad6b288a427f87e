// libFuzzer target for token redaction: whatever the text, what comes out
// holds no secret, is as long as redacted_length says, is left unchanged by
// a second pass, and equals the input when the input held no token. A
// well-formed token anywhere in the input never survives.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/token.h"
#include "core/token_redaction.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_token_redaction: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace agentauthz::core;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string redacted = redact_tokens(input);
  if (redacted.size() != redacted_length(input)) fail("length disagrees");
  if (holds_token(redacted)) fail("a secret survived");
  if (redact_tokens(redacted) != redacted) fail("second pass changed the text");
  size_t cut = first_secret_offset(input);
  if (holds_token(input) != (cut != std::string_view::npos)) fail("offset disagrees");
  if (cut == std::string_view::npos && redacted != input) fail("text without a token changed");
  if (cut != std::string_view::npos && holds_token(input.substr(0, cut)))
    fail("cut keeps a secret");
  // Every well-formed token the input spells is gone.
  for (size_t at = input.find("aaz1."); at != std::string_view::npos;
       at = input.find("aaz1.", at + 1)) {
    for (size_t length = 49; length <= 69 && at + length <= input.size(); ++length) {
      std::string_view candidate = input.substr(at, length);
      if (parse_token(candidate) && redacted.find(candidate) != std::string::npos)
        fail("a well-formed token survived");
    }
  }
  return 0;
}
