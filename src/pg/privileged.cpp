#include "pg/privileged.h"

#include "pg/catalog.h"

namespace agentauthz::pg {

const char* const kPinnedSearchPath = "pg_catalog, agentauthz, pg_temp";

namespace {

LocalTransactionId wrote_in = InvalidLocalTransactionId;

void refuse_prepare(XactEvent event, void*) {
  if (event != XACT_EVENT_PRE_PREPARE || wrote_in != MyProc->lxid) return;
  ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                  errmsg("cannot PREPARE a transaction that wrote agentauthz's tables"),
                  errdetail("A prepared transaction keeps its row locks until it is finished: revocations and "
                            "tuple writes would wait for it.")));
}

}  // namespace

void note_extension_write() { wrote_in = MyProc->lxid; }

void register_prepare_refusal() { RegisterXactCallback(refuse_prepare, nullptr); }

SqlScope::SqlScope(Rights rights) {
  try {
    pg_guard([&] {
      GetUserIdAndSecContext(&saved_user_, &saved_context_);
      if (rights == Rights::Owner) {
        note_extension_write();
        Oid owner = catalog().extension_owner;
        SetUserIdAndSecContext(owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE |
                                          SECURITY_RESTRICTED_OPERATION);
        switched_user_ = true;
      }
      nest_level_ = NewGUCNestLevel();
      (void)set_config_option("search_path", kPinnedSearchPath, PGC_USERSET, PGC_S_SESSION,
                              GUC_ACTION_SAVE, true, 0, false);
    });
  } catch (...) {
    restore();
    throw;
  }
}

SqlScope::~SqlScope() { restore(); }

void SqlScope::restore() noexcept {
  // Popping a nest level only restores saved values (search_path's assign
  // hook just marks the path for recomputation): nothing here can fail.
  if (nest_level_ >= 0) AtEOXact_GUC(true, nest_level_);
  nest_level_ = -1;
  if (switched_user_) SetUserIdAndSecContext(saved_user_, saved_context_);
  switched_user_ = false;
}

}  // namespace agentauthz::pg
