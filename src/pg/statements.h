// Counts the statements this backend starts, at every nesting level: each
// executor start (a query, or a query inside a function) and each utility
// command (FETCH from a cursor included). What must be decided afresh "at
// each statement" -- whether a delegation still holds -- is decided again
// when the count moves.
#pragma once

#include <cstdint>

namespace agentauthz::pg {

uint64_t statement_serial();

// Installs the executor-start and utility hooks; called once from _PG_init.
void register_statement_hooks();

}  // namespace agentauthz::pg
