// The audit writer: a background worker, registered when the library is
// preloaded, that waits unconnected until a database's ring of the shared
// queue has records, connects to it and drains the ring into
// agentauthz.audit_log, in transactions of its own, so records outlive the
// transactions that produced them. After a quiet spell (or after serving
// long while another database waits) it exits and the postmaster starts it
// again, unconnected: it never holds a database open for long (DROP
// DATABASE waits for it), and a process can enter only one database.
#include <string>
#include <vector>

#include "core/audit_record.h"
#include "core/error.h"
#include "pg/audit/log_writer.h"
#include "pg/audit/queue.h"
#include "pg/common/guard.h"

extern "C" {
#include "catalog/pg_extension_d.h"
#include "commands/extension.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/lmgr.h"
#include "utils/wait_event.h"

PGDLLEXPORT void agentauthz_audit_worker_main(Datum argument);
}

namespace agentauthz::pg {

namespace {

constexpr size_t kBatchBytes = 1u << 20;
constexpr long kIdleExitMs = 2000;
// A writer serving one database this long leaves when another waits.
constexpr long kTurnMs = 5000;
// An unconnected writer also looks for work this often (a wakeup may be missed).
constexpr long kClaimPollMs = 1000;
constexpr long kRetryMs = 1000;
// How often the writer looks at its queue: backends do not wake it for
// every record, only when the queue fills (pg/audit/queue.cpp).
constexpr long kPollMs = 100;
// After SIGTERM: records from backends exiting at the same time are still
// taken for this long once the queue is empty, then the writer leaves.
constexpr long kShutdownGraceMs = 500;

volatile sig_atomic_t shutdown_requested = false;

void handle_sigterm(SIGNAL_ARGS) {
  int saved_errno = errno;
  shutdown_requested = true;
  SetLatch(MyLatch);
  errno = saved_errno;
}

int my_writer = -1;
bool connected = false;

void detach_at_exit(int, Datum) { audit_queue::writer_detach(my_writer, connected); }

core::AuditRecord dropped_record(int64_t count) {
  core::AuditRecord record;
  record.kind = core::AuditKind::Dropped;
  pg_guard([&] { record.logged_at = GetCurrentTimestamp(); });
  record.backend_pid = MyProcPid;
  record.detail = std::to_string(count) +
                  " audit records were dropped: the queue stayed full longer than "
                  "agentauthz.audit_queue_wait";
  return record;
}

enum class BatchResult { Idle, Written, ExtensionGone };

// Writes what the ring holds now in one transaction; the ring is consumed
// only after the commit.
BatchResult write_batch(int slot) {
  audit_queue::Batch batch;
  int64_t dropped = 0;
  audit_queue::worker_peek(slot, kBatchBytes, &batch, &dropped);
  if (batch.records == 0 && dropped == 0) return BatchResult::Idle;
  std::vector<core::AuditRecord> records = batch.decode();
  if (dropped > 0) records.push_back(dropped_record(dropped));
  bool installed = false;
  pg_guard([&] {
    SetCurrentStatementStartTimestamp();
    StartTransactionCommand();
    PushActiveSnapshot(GetTransactionSnapshot());
    // Hold the extension (as DROP EXTENSION will want it) before touching
    // its tables: a concurrent DROP then waits for this batch, or wins
    // outright, rather than deadlocking with it over the tables.
    Oid extension = get_extension_oid("agentauthz", true);
    if (OidIsValid(extension)) {
      LockDatabaseObject(ExtensionRelationId, extension, 0, AccessShareLock);
      installed = get_extension_oid("agentauthz", true) == extension;
    }
    pgstat_report_activity(STATE_RUNNING, "writing audit records");
  });
  if (!installed) {
    pg_guard([] {
      PopActiveSnapshot();
      CommitTransactionCommand();
    });
    return BatchResult::ExtensionGone;
  }
  append_to_audit_log(records);
  pg_guard([] {
    PopActiveSnapshot();
    CommitTransactionCommand();
    pgstat_report_activity(STATE_IDLE, nullptr);
  });
  audit_queue::worker_consume(slot, batch, dropped);
  return BatchResult::Written;
}

void report_failure(const char* message) {
  ereport(WARNING,
          (errmsg("agentauthz audit writer could not write to agentauthz.audit_log: %s", message),
           errhint("The records stay queued and are retried.")));
}

// Writes the slot's queue until it stays quiet, another slot needs the writer, or shutdown.
void run(int slot) {
  TimestampTz quiet_since = GetCurrentTimestamp();
  TimestampTz serving_since = quiet_since;
  for (;;) {
    ResetLatch(MyLatch);
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
    BatchResult result = BatchResult::Idle;
    static char failure[512];
    failure[0] = '\0';
    try {
      result = write_batch(slot);
    } catch (const std::exception& e) {
      strlcpy(failure, e.what(), sizeof failure);
    } catch (...) {
      strlcpy(failure, "an unknown error", sizeof failure);
    }
    if (failure[0] != '\0') {
      AbortCurrentTransaction();
      report_failure(failure);
      if (shutdown_requested) return;  // what is left stays in the server log's care
      // A database whose batches keep failing does not keep its writer from
      // others that wait.
      if (TimestampDifferenceExceeds(serving_since, GetCurrentTimestamp(),
                                     static_cast<int>(kTurnMs)) &&
          audit_queue::others_waiting(slot))
        return;
      (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kRetryMs,
                      PG_WAIT_EXTENSION);
      continue;
    }
    if (result == BatchResult::ExtensionGone) {
      audit_queue::worker_release(slot);
      return;
    }
    TimestampTz now = GetCurrentTimestamp();
    if (result == BatchResult::Written) quiet_since = now;
    if (TimestampDifferenceExceeds(serving_since, now, static_cast<int>(kTurnMs)) &&
        audit_queue::others_waiting(slot))
      return;  // its ring is served again by the next free writer
    long quiet_limit = shutdown_requested ? kShutdownGraceMs : kIdleExitMs;
    if (result == BatchResult::Idle &&
        TimestampDifferenceExceeds(quiet_since, now, static_cast<int>(quiet_limit)) &&
        audit_queue::worker_may_exit(slot))
      return;
    // Let records gather between batches; a filling queue wakes the writer.
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kPollMs,
                    PG_WAIT_EXTENSION);
  }
}

}  // namespace

}  // namespace agentauthz::pg

// Entry point of an audit writer: claims slots and writes their queues until told to stop.
void agentauthz_audit_worker_main(Datum argument) {
  using namespace agentauthz::pg;
  my_writer = DatumGetInt32(argument);
  pqsignal(SIGTERM, handle_sigterm);
  pqsignal(SIGHUP, SignalHandlerForConfigReload);
  BackgroundWorkerUnblockSignals();
  before_shmem_exit(detach_at_exit, 0);
  pgstat_report_appname("agentauthz audit writer");
  // Unconnected until a ring needs its writer.
  int slot = -1;
  while (slot < 0) {
    if (shutdown_requested) proc_exit(1);
    slot = audit_queue::writer_claim(my_writer);
    if (slot >= 0) break;
    (void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, kClaimPollMs,
                    PG_WAIT_EXTENSION);
    ResetLatch(MyLatch);
    if (ConfigReloadPending) {
      ConfigReloadPending = false;
      ProcessConfigFile(PGC_SIGHUP);
    }
  }
  Oid database = audit_queue::slot_database(slot);
  if (!OidIsValid(database)) proc_exit(1);  // released meanwhile
  // A database dropped meanwhile ends this process (FATAL): the exit
  // callback then releases its ring.
  BackgroundWorkerInitializeConnectionByOid(database, InvalidOid, 0);
  connected = true;
  // A lock held elsewhere on the log (a transaction that will not end soon)
  // must not hold the writer forever: it gives up, retries, and can stop.
  SetConfigOption("lock_timeout", "1s", PGC_SUSET, PGC_S_OVERRIDE);
  // Nothing C++ may escape into PostgreSQL's worker code: a failure outside
  // a batch (run() handles those) ends the worker, reported after the
  // catch block; the postmaster starts it again.
  static char failure[512];
  failure[0] = '\0';
  try {
    run(slot);
  } catch (const std::exception& e) {
    strlcpy(failure, e.what(), sizeof failure);
  } catch (...) {
    strlcpy(failure, "an unknown error", sizeof failure);
  }
  if (failure[0] != '\0') elog(LOG, "agentauthz audit writer stopped: %s", failure);
  // Exit code 1: the postmaster starts the writer again, unconnected (0
  // would unregister it for good).
  proc_exit(1);
}
