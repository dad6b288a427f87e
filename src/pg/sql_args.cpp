#include "pg/sql_args.h"

#include "pg/guard.h"

namespace agentauthz::pg {

Datum return_text_set(FunctionCallInfo fcinfo, const std::vector<std::string>& rows) {
  pg_guard([&] {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC | MAT_SRF_BLESS);
    ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (const std::string& row : rows) {
      Datum value = text_datum(row);
      bool isnull = false;
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
    }
  });
  return (Datum)0;
}

}  // namespace agentauthz::pg
