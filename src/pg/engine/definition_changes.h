// Which utility statements could change what marks the writers of the
// engine's tables or what the engine reads: DDL on the extension's own
// objects (its tables and their triggers, its functions, its schema, the
// extension itself), DDL on a table with children (it recurses to them),
// and what drops or reassigns objects wholesale. The
// transaction running one is marked (pg/engine/writer_marks.h), so that
// its commit ends what every backend kept even before they take in its
// invalidations. DDL on other objects -- an application's tables and
// functions -- is not: marking it would empty every backend's caches for
// nothing. Called before the statement runs (what it drops is gone after).
//
// Calls PostgreSQL (name lookups that do not raise for missing objects):
// call it from C frames only.
#pragma once

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

bool may_change_engine_definitions(Node* statement);

}  // namespace agentauthz::pg
