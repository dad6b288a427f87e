// SHA-256 by PostgreSQL's implementation: delegation tokens' secrets are
// stored hashed, and the audit records a statement by its digest.
#pragma once

#include <array>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Computes SHA-256 of `data`; throws core::Error(Internal) if it cannot.
std::array<uint8, 32> sha256(const uint8* data, size_t length);

}  // namespace agentauthz::pg
