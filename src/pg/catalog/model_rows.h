// Reads of agentauthz.models under the statement's snapshot (the session of
// pg/engine/scan_session.h): a statement evaluates against the newest model
// its snapshot sees, like the tuples it reads.
//
// These functions call PostgreSQL and may raise ERROR (longjmp): call them
// from C++ only inside pg_guard.
#pragma once

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Reads the newest visible model; returns false when there is none. The
// text pointer is valid until the next read or the end of the session.
bool read_newest_model(int64* id, const char** dsl, int* dsl_length);

}  // namespace agentauthz::pg
