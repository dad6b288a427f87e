#include "pg/common/prepare_refusal.h"

#include "pg/common/pg_headers.h"

extern "C" {
#include "commands/extension.h"
#include "storage/lock.h"
}

namespace agentauthz::pg {

namespace {

// Whether this backend holds a lock stronger than ACCESS SHARE on a
// relation of the extension's schema. PREPARE is rare: reading the whole
// lock table (fast-path locks included) is affordable there.
bool holds_extension_locks(Oid schema) {
  LockData* locks = GetLockStatusData();
  for (int i = 0; i < locks->nelements; ++i) {
    const LockInstanceData& lock = locks->locks[i];
    if (lock.pid != MyProcPid || lock.locktag.locktag_type != LOCKTAG_RELATION ||
        lock.locktag.locktag_field1 != MyDatabaseId)
      continue;
    if ((lock.holdMask & ~LOCKBIT_ON(AccessShareLock)) == 0) continue;
    if (get_rel_namespace(lock.locktag.locktag_field2) == schema) return true;
  }
  return false;
}

void refuse_prepare(XactEvent event, void*) {
  if (event != XACT_EVENT_PRE_PREPARE) return;
  // Loaded by shared_preload_libraries, this runs in databases without the
  // extension too. Its schema is always agentauthz (the control file's).
  if (!OidIsValid(get_extension_oid("agentauthz", true))) return;
  if (!holds_extension_locks(get_namespace_oid("agentauthz", false))) return;
  ereport(
      ERROR,
      (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
       errmsg("cannot PREPARE a transaction that wrote or locked agentauthz's tables"),
       errdetail("A prepared transaction keeps its locks until it is finished: revocations, tuple "
                 "writes or readers would wait for it.")));
}

}  // namespace

void register_lock_prepare_check() { RegisterXactCallback(refuse_prepare, nullptr); }

}  // namespace agentauthz::pg
