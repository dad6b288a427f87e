// Reading one agentauthz.audit_log row back to verify it. The hash covers
// the record the row decodes to, in which a NULL text and '' are the same
// empty string, a NULL array and '{}' the same empty list, '{1}' and
// '[0:0]={1}' the same list, a NULL id and 0 the same number. The writer
// (pg/audit/log_writer.cpp) stores exactly one form of each -- NULL for an
// empty text, list or query id, a value in every other column, arrays
// one-dimensional from 1 without NULL elements -- so a row in any other
// form was edited, whatever its hash says.
#pragma once

#include <string>

#include "core/audit_record.h"
#include "pg/audit/log_writer.h"

namespace agentauthz::pg {

// One row read back: its record, its stored hashes, and what is wrong with
// how it is stored, if anything.
struct StoredRow {
  core::AuditRecord record;
  ChainHash prev{};
  ChainHash hash{};
  bool hashes_ok = true;             // both hashes present and 32 bytes
  bool kind_ok = true;               // a kind the extension knows
  const char* odd_column = nullptr;  // the first column in a form the writer never stores
  std::string kind_name;             // the kind as stored
};

// Raises XX001 unless a result of audit_log's columns (all of them, in
// table order) has the types the extension created them with: a superuser
// may have altered the table.
void check_audit_row_types(TupleDesc desc);

// Converts an SPI row of audit_log's columns, in table order. Makes
// PostgreSQL calls: the caller guards them. Builds C++ objects only inside
// `out`.
void read_audit_row(HeapTuple row, TupleDesc desc, StoredRow* out);

}  // namespace agentauthz::pg
