#include "pg/common/sha256.h"

#include "core/error.h"
#include "pg/common/guard.h"

extern "C" {
#include "common/cryptohash.h"
#include "common/sha2.h"
}

namespace agentauthz::pg {

std::array<uint8, 32> sha256(const uint8* data, size_t length) {
  std::array<uint8, 32> digest{};
  bool ok = false;
  pg_guard([&] {
    pg_cryptohash_ctx* context = pg_cryptohash_create(PG_SHA256);
    ok = context != nullptr && pg_cryptohash_init(context) == 0 &&
         pg_cryptohash_update(context, data, length) == 0 &&
         pg_cryptohash_final(context, digest.data(), digest.size()) == 0;
    pg_cryptohash_free(context);
  });
  if (!ok) throw core::Error(core::ErrorKind::Internal, "could not compute SHA-256");
  return digest;
}

}  // namespace agentauthz::pg
