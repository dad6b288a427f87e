// Counts the statements this backend starts, at every nesting level: each
// executor start (a query, or a query inside a function), each run of an
// executor (a FETCH from a cursor, in SQL or PL/pgSQL, or a protocol-level
// Execute with a row limit resumes a query) and each utility command. What
// must be decided afresh "at each statement" -- whether a delegation still
// holds -- is decided again when the count moves.
#pragma once

#include <cstdint>

namespace agentauthz::pg {

uint64_t statement_serial();

// Installs the executor-start, executor-run and utility hooks; called once
// from _PG_init.
void register_statement_hooks();

}  // namespace agentauthz::pg
