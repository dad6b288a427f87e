#include "pg/common/sql_args.h"

#include "core/error.h"
#include "pg/common/guard.h"

namespace agentauthz::pg {

std::string_view uuid_text(const pg_uuid_t* uuid, char* out) {
  static const char kHex[] = "0123456789abcdef";
  size_t length = 0;
  for (int i = 0; i < UUID_LEN; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[length++] = '-';
    out[length++] = kHex[uuid->data[i] >> 4];
    out[length++] = kHex[uuid->data[i] & 0xf];
  }
  return std::string_view(out, length);
}

SPIPlanPtr kept_plan(SPIPlanPtr* slot, const char* query, int nargs, Oid* types) {
  if (*slot == nullptr) {
    SPIPlanPtr plan = SPI_prepare(query, nargs, types);
    if (plan == nullptr) elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    SPI_keepplan(plan);
    *slot = plan;
  }
  return *slot;
}

bool current_role_is_one_of(std::initializer_list<const char*> roles) {
  bool member = false;
  pg_guard([&] {
    Oid current = GetUserId();
    member = superuser_arg(current);
    for (const char* name : roles) {
      Oid role = get_role_oid(name, true);
      member = member || (OidIsValid(role) && has_privs_of_role(current, role));
    }
  });
  return member;
}

void require_admin(const char* function, const char* hint) {
  if (!current_role_is_one_of({"agentauthz_admin"}))
    throw core::Error(core::ErrorKind::Forbidden, std::string("permission denied for ") + function,
                      hint);
}

Datum row_datum(FunctionCallInfo fcinfo, Datum* values, bool* nulls) {
  TupleDesc desc;
  if (get_call_result_type(fcinfo, nullptr, &desc) != TYPEFUNC_COMPOSITE)
    elog(ERROR, "%s must return a row", get_func_name(fcinfo->flinfo->fn_oid));
  desc = BlessTupleDesc(desc);
  return HeapTupleGetDatum(heap_form_tuple(desc, values, nulls));
}

Datum return_text_set(FunctionCallInfo fcinfo, const std::vector<std::string>& rows) {
  pg_guard([&] {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC | MAT_SRF_BLESS);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    for (const std::string& row : rows) {
      Datum value = text_datum(row);
      bool isnull = false;
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
    }
  });
  return (Datum)0;
}

Datum return_text_set(FunctionCallInfo fcinfo, std::string_view prefix, const core::IdList& ids) {
  pg_guard([&] {
    InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC | MAT_SRF_BLESS);
    auto* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
    // One row's text at a time: the tuplestore copies it.
    auto* row = static_cast<text*>(palloc(VARHDRSZ + prefix.size() + ids.longest()));
    memcpy(VARDATA(row), prefix.data(), prefix.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      std::string_view id = ids[i];
      memcpy(VARDATA(row) + prefix.size(), id.data(), id.size());
      SET_VARSIZE(row, VARHDRSZ + prefix.size() + id.size());
      Datum value = PointerGetDatum(row);
      bool isnull = false;
      tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, &value, &isnull);
    }
    pfree(row);
  });
  return (Datum)0;
}

}  // namespace agentauthz::pg
