// libFuzzer target for audit records: arbitrary bytes go through the
// decoder the audit writer applies to its queue. Whatever decodes encodes
// back to exactly the bytes it came from (the hash chain relies on one
// canonical form), and its server-log JSON stays on one line.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/audit_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace agentauthz::core;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  AuditRecord record;
  size_t used = decode_audit_record(input, &record);
  if (used == 0) return 0;
  std::string again;
  encode_audit_record(record, &again);
  if (again != input.substr(0, used)) {
    std::fprintf(stderr, "fuzz_audit_record: a decoded record encodes differently\n");
    std::abort();
  }
  if (audit_record_json(record).find('\n') != std::string::npos) {
    std::fprintf(stderr, "fuzz_audit_record: the JSON form spans lines\n");
    std::abort();
  }
  return 0;
}
