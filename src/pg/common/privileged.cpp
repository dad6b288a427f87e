#include "pg/common/privileged.h"

#include "pg/catalog/relations.h"

namespace agentauthz::pg {

const char* const kPinnedSearchPath = "pg_catalog, agentauthz, pg_temp";

SqlScope::SqlScope(Rights rights) {
  try {
    pg_guard([&] {
      GetUserIdAndSecContext(&saved_user_, &saved_context_);
      if (rights == Rights::Owner) {
        Oid owner = catalog().extension_owner;
        SetUserIdAndSecContext(
            owner, saved_context_ | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
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
