#include "pg/engine/scan_session.h"

#include "pg/catalog/relations.h"
#include "pg/engine/definition_changes.h"
#include "pg/engine/key_versions.h"
#include "pg/engine/visible_state.h"
#include "pg/engine/writer_marks.h"

namespace agentauthz::pg {

namespace {

// Readers registered at load: tuple scans and the model read.
constexpr int kMaxReaders = 4;
const ScanReader* readers[kMaxReaders];
int reader_count = 0;

struct Session {
  bool open = false;
  Stamp stamp;
  ResourceOwner owner = nullptr;
  Snapshot snapshot = nullptr;
  TimestampTz now = 0;
  shared_cache::View shared;
};

Session session;
uint64 statements = 0;  // snapshots the session was prepared for
MemoryContext scan_context = nullptr;
// The readers' buffer pins, relation references and the snapshot belong to
// this owner (a child of the transaction's), not to whichever portal
// happened to be running: COPY, triggers and cursors all end without
// leaking them.
ResourceOwner scan_owner = nullptr;

ProcessUtility_hook_type prev_process_utility = nullptr;

// Ends every reader's scans and unregisters the snapshot, under the
// session's resource owner.
void release_session() {
  ResourceOwner saved = CurrentResourceOwner;
  CurrentResourceOwner = session.owner;
  for (int i = 0; i < reader_count; ++i) readers[i]->release();
  if (session.snapshot) UnregisterSnapshot(session.snapshot);
  CurrentResourceOwner = saved;
  session = Session();
  MemoryContextReset(scan_context);
}

void agentauthz_process_utility(PlannedStmt* pstmt, const char* query_string, bool read_only_tree,
                                ProcessUtilityContext context, ParamListInfo params,
                                QueryEnvironment* query_env, DestReceiver* dest,
                                QueryCompletion* qc) {
  // Utility commands (TRUNCATE, DROP EXTENSION ...) refuse relations that
  // are still open in this session.
  scans_close();
  // Decided before it runs: what it drops cannot be looked up after.
  bool marks = may_change_engine_definitions(pstmt->utilityStmt);
  // A new database may take a dropped one's oid: what backends shared
  // about the old one must not answer for it.
  if (IsA(pstmt->utilityStmt, CreatedbStmt)) key_versions::note_unkeyed_write();
  if (prev_process_utility)
    prev_process_utility(pstmt, query_string, read_only_tree, context, params, query_env, dest, qc);
  else
    standard_ProcessUtility(pstmt, query_string, read_only_tree, context, params, query_env, dest,
                            qc);
  // DDL that wrote nothing (DROP ... IF EXISTS of nothing) changed nothing.
  if (marks && writer_marks::mark_if_writing()) key_versions::note_unkeyed_write();
}

// Closes the scans before a commit or prepare, and forgets them when a transaction ends.
void xact_callback(XactEvent event, void*) {
  switch (event) {
    case XACT_EVENT_PRE_COMMIT:
    case XACT_EVENT_PARALLEL_PRE_COMMIT:
    case XACT_EVENT_PRE_PREPARE:
      scans_close();
      break;
    case XACT_EVENT_COMMIT:
    case XACT_EVENT_PARALLEL_COMMIT:
    case XACT_EVENT_PREPARE:
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
      // The transaction's resource owner releases and deletes ours.
      scans_forget();
      scan_owner = nullptr;
      break;
    default:
      break;
  }
}

}  // namespace

bool Stamp::operator==(const Stamp& o) const {
  if (lxid != o.lxid || xmin != o.xmin || xmax != o.xmax || curcid != o.curcid ||
      completions != o.completions || writes_generation != o.writes_generation ||
      catalog_generation != o.catalog_generation)
    return false;
  // Without a completion count two snapshots may differ in their in-progress
  // transactions: only the very same snapshot is known to be equal.
  return completions != 0 || snapshot == o.snapshot;
}

Stamp current_stamp() {
  Snapshot snapshot = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
  Stamp stamp;
  stamp.lxid = MyProc->lxid;
  stamp.xmin = snapshot->xmin;
  stamp.xmax = snapshot->xmax;
  stamp.completions = snapshot->snapXactCompletionCount;
  stamp.curcid = snapshot->curcid;
  stamp.snapshot = snapshot;
  stamp.writes_generation = writer_marks::writes_generation();
  stamp.catalog_generation = catalog_generation();
  return stamp;
}

uint64 scans_statement() { return statements; }
Snapshot scans_snapshot() { return session.snapshot; }
TimestampTz scans_now() { return session.now; }

const shared_cache::View& scans_shared_view() { return session.shared; }

bool scans_current() {
  return session.open && ActiveSnapshotSet() && current_stamp() == session.stamp;
}

// Registers the active snapshot for a new statement (or command) and tells
// whether what it sees may differ from the previous one's view.
bool scans_prepare() {
  // Invalidations sent before a commit this snapshot sees (a trigger
  // disabled, then an unmarked write) are taken in before deciding.
  AcceptInvalidationMessages();
  Stamp stamp = current_stamp();
  if (session.open && stamp == session.stamp) return false;
  scans_close();
  if (scan_context == nullptr)
    scan_context =
        AllocSetContextCreate(TopMemoryContext, "agentauthz scans", ALLOCSET_SMALL_SIZES);
  if (scan_owner == nullptr)
    scan_owner = ResourceOwnerCreate(TopTransactionResourceOwner, "agentauthz scans");
  ResourceOwner saved_owner = CurrentResourceOwner;
  CurrentResourceOwner = scan_owner;
  Snapshot active = ActiveSnapshotSet() ? GetActiveSnapshot() : GetTransactionSnapshot();
  session.snapshot = RegisterSnapshot(active);
  CurrentResourceOwner = saved_owner;
  session.owner = scan_owner;
  session.now = GetCurrentTransactionStartTimestamp();
  session.open = true;
  session.stamp = stamp;
  ++statements;
  bool writes_marked = writer_marks::available() && catalog().writes_marked;
  session.shared = shared_cache::view_for(session.snapshot, session.now, catalog().tuples,
                                          writes_marked, writer_marks::transaction_wrote());
  return !same_view_as_before(session.snapshot, session.now, stamp.writes_generation,
                              stamp.catalog_generation, writes_marked);
}

void scans_close() {
  if (session.open) release_session();
}

void scans_forget() {
  if (!session.open) return;
  for (int i = 0; i < reader_count; ++i) readers[i]->forget();
  session = Session();
  if (scan_context) MemoryContextReset(scan_context);
}

void scans_open_or_release(void (*open)(void*), void* arg) {
  PG_TRY();
  { open(arg); }
  PG_CATCH();
  {
    release_session();
    PG_RE_THROW();
  }
  PG_END_TRY();
}

ScansSaved scans_enter() {
  ScansSaved saved{CurrentResourceOwner, MemoryContextSwitchTo(scan_context)};
  CurrentResourceOwner = session.owner;
  return saved;
}

void scans_leave(const ScansSaved& saved) {
  CurrentResourceOwner = saved.owner;
  MemoryContextSwitchTo(saved.context);
}

void register_scan_reader(const ScanReader* reader) {
  Assert(reader_count < kMaxReaders);
  readers[reader_count++] = reader;
}

void register_scan_lifecycle() {
  prev_process_utility = ProcessUtility_hook;
  ProcessUtility_hook = agentauthz_process_utility;
  RegisterXactCallback(xact_callback, nullptr);
}

}  // namespace agentauthz::pg
