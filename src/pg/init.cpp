// Library initialisation: settings, callbacks and hooks.
#include "pg/actor_context.h"
#include "pg/catalog.h"
#include "pg/guard.h"
#include "pg/settings.h"
#include "pg/tuple_scans.h"

extern "C" {
PG_MODULE_MAGIC;
void _PG_init(void);
}

namespace agentauthz::pg {

int max_depth_setting = 25;
int max_delegation_depth_setting = 3;

void define_settings() {
  DefineCustomIntVariable(
      "agentauthz.max_depth",
      "Maximum number of rewrite and tuple hops a single check may follow.",
      "Deeper resolutions raise an ERROR (SQLSTATE 54001), as OpenFGA does; cycles simply yield false.",
      &max_depth_setting, 25, 1, 512, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  DefineCustomIntVariable(
      "agentauthz.max_delegation_depth",
      "Maximum number of links in a delegation chain (a delegation and its sub-delegations).",
      nullptr, &max_delegation_depth_setting, 3, 1, 16, PGC_SUSET, 0, nullptr, nullptr, nullptr);
  // Nobody may plant agentauthz.* placeholders, in this or a later session.
  MarkGUCPrefixReserved("agentauthz");
}

}  // namespace agentauthz::pg

void _PG_init(void) {
  agentauthz::pg::define_settings();
  agentauthz::pg::register_catalog_callbacks();
  agentauthz::pg::register_scan_lifecycle();
  agentauthz::pg::register_context_callbacks();
}
