// Whether what the engine cached for one statement still holds for the
// next. Two MVCC snapshots with the same xmin, xmax and in-progress
// transactions classify every transaction alike, so they see the same rows
// of every table; two that differ only in transactions that did not write
// the engine's tables (pg/engine/writer_marks.h) see the same tuples,
// models, agents, delegations and registrations. Tuples and delegations
// also expire, so cached state holds only until the earliest expiry it
// read. Agents issue many short statements against data that rarely
// changes, in databases where other data changes all the time; carrying
// the caches across them is what makes a point lookup cheap.
#pragma once

#include <cstdint>

#include "pg/common/pg_headers.h"

namespace agentauthz::pg {

// Called when a statement brings a new snapshot (or command id): returns
// true when state cached before may be kept, false when it must be dropped
// (and starts a new view). `writes_generation` counts this backend's
// writes to the engine's tables (writer_marks::writes_generation) and
// `catalog_generation` the invalidations of agentauthz's relations; `now`
// is the time expiry is judged against; `writes_marked` whether the
// database's writers mark themselves (Catalog::writes_marked).
bool same_view_as_before(Snapshot snapshot, TimestampTz now, uint64 writes_generation,
                         uint64 catalog_generation, bool writes_marked);
// Something the current view read stops being valid at `expires_at`.
void note_expiry(TimestampTz expires_at);
// When the earliest expiry read so far under the current view passes.
TimestampTz view_valid_until();
// Changes whenever a new view starts: state derived from the visible data
// is valid while it stays the same.
uint64_t view_epoch();
// How many statements kept the view of an earlier one (cache_stats()).
uint64_t views_kept();

}  // namespace agentauthz::pg
