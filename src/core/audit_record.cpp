#include "core/audit_record.h"

#include <cstdio>
#include <cstring>

#include "core/explain_json.h"

namespace agentauthz::core {

namespace {

constexpr uint8_t kFormatVersion = 1;
// A bound on decoded sizes: a corrupt length must not allocate gigabytes.
constexpr uint64_t kMaxField = 64u << 20;

void put_u64(uint64_t value, std::string* out) {
  char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xff);
  out->append(bytes, 8);
}

void put_string(std::string_view text, std::string* out) {
  put_u64(text.size(), out);
  out->append(text.data(), text.size());
}

void put_strings(const std::vector<std::string>& texts, std::string* out) {
  put_u64(texts.size(), out);
  for (const std::string& text : texts) put_string(text, out);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  bool u8(uint8_t* out) {
    if (pos_ + 1 > bytes_.size()) return false;
    *out = static_cast<uint8_t>(bytes_[pos_++]);
    return true;
  }
  bool u64(uint64_t* out) {
    if (pos_ + 8 > bytes_.size()) return false;
    uint64_t value = 0;
    for (int i = 0; i < 8; ++i)
      value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes_[pos_ + i])) << (8 * i);
    pos_ += 8;
    *out = value;
    return true;
  }
  bool i64(int64_t* out) {
    uint64_t value;
    if (!u64(&value)) return false;
    *out = static_cast<int64_t>(value);
    return true;
  }
  bool i32(int32_t* out) {
    int64_t value;
    if (!i64(&value) || value < INT32_MIN || value > INT32_MAX) return false;
    *out = static_cast<int32_t>(value);
    return true;
  }
  bool string(std::string* out) {
    uint64_t length;
    if (!u64(&length) || length > kMaxField || pos_ + length > bytes_.size()) return false;
    out->assign(bytes_.data() + pos_, length);
    pos_ += length;
    return true;
  }
  bool strings(std::vector<std::string>* out) {
    uint64_t count;
    if (!u64(&count) || count > kMaxField / 8) return false;
    out->clear();
    for (uint64_t i = 0; i < count; ++i) {
      out->emplace_back();
      if (!string(&out->back())) return false;
    }
    return true;
  }
  bool integers(std::vector<int64_t>* out) {
    uint64_t count;
    if (!u64(&count) || count > kMaxField / 8) return false;
    out->clear();
    for (uint64_t i = 0; i < count; ++i) {
      int64_t value;
      if (!i64(&value)) return false;
      out->push_back(value);
    }
    return true;
  }
  size_t position() const { return pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

std::string_view audit_kind_name(AuditKind kind) {
  switch (kind) {
    case AuditKind::Check:
      return "check";
    case AuditKind::Summary:
      return "summary";
    case AuditKind::Listing:
      return "listing";
    case AuditKind::Dropped:
      return "dropped";
    case AuditKind::Purged:
      return "purged";
  }
  return "unknown";
}

bool parse_audit_kind(std::string_view name, AuditKind* out) {
  for (AuditKind kind : {AuditKind::Check, AuditKind::Summary, AuditKind::Listing,
                         AuditKind::Dropped, AuditKind::Purged}) {
    if (audit_kind_name(kind) == name) {
      *out = kind;
      return true;
    }
  }
  return false;
}

bool AuditRecord::operator==(const AuditRecord& o) const {
  return id == o.id && logged_at == o.logged_at && kind == o.kind && db_role == o.db_role &&
         backend_pid == o.backend_pid && actor == o.actor && principal == o.principal &&
         delegation_chain == o.delegation_chain && purpose == o.purpose && query_id == o.query_id &&
         query_hash == o.query_hash && relation == o.relation && object_type == o.object_type &&
         object_id == o.object_id && decision == o.decision && allowed_count == o.allowed_count &&
         denied_count == o.denied_count && allowed_sample == o.allowed_sample &&
         denied_sample == o.denied_sample && detail == o.detail;
}

// Appends the record's versioned binary form to `out`.
void encode_audit_record(const AuditRecord& r, std::string* out) {
  out->push_back(static_cast<char>(kFormatVersion));
  put_u64(static_cast<uint64_t>(r.id), out);
  put_u64(static_cast<uint64_t>(r.logged_at), out);
  out->push_back(static_cast<char>(r.kind));
  put_string(r.db_role, out);
  put_u64(static_cast<uint64_t>(static_cast<int64_t>(r.backend_pid)), out);
  put_string(r.actor, out);
  put_string(r.principal, out);
  put_u64(r.delegation_chain.size(), out);
  for (int64_t link : r.delegation_chain) put_u64(static_cast<uint64_t>(link), out);
  put_string(r.purpose, out);
  put_u64(static_cast<uint64_t>(r.query_id), out);
  put_string(r.query_hash, out);
  put_string(r.relation, out);
  put_string(r.object_type, out);
  put_string(r.object_id, out);
  put_string(r.decision, out);
  put_u64(static_cast<uint64_t>(r.allowed_count), out);
  put_u64(static_cast<uint64_t>(r.denied_count), out);
  put_strings(r.allowed_sample, out);
  put_strings(r.denied_sample, out);
  put_string(r.detail, out);
}

// Decodes one record from the front of `bytes`; returns the bytes used, 0 when malformed.
size_t decode_audit_record(std::string_view bytes, AuditRecord* out) {
  Reader in(bytes);
  uint8_t version = 0;
  uint8_t kind = 0;
  if (!in.u8(&version) || version != kFormatVersion) return 0;
  if (!in.i64(&out->id) || !in.i64(&out->logged_at) || !in.u8(&kind)) return 0;
  if (kind < static_cast<uint8_t>(AuditKind::Check) ||
      kind > static_cast<uint8_t>(AuditKind::Purged))
    return 0;
  out->kind = static_cast<AuditKind>(kind);
  bool ok = in.string(&out->db_role) && in.i32(&out->backend_pid) && in.string(&out->actor) &&
            in.string(&out->principal) && in.integers(&out->delegation_chain) &&
            in.string(&out->purpose) && in.i64(&out->query_id) && in.string(&out->query_hash) &&
            in.string(&out->relation) && in.string(&out->object_type) &&
            in.string(&out->object_id) && in.string(&out->decision) &&
            in.i64(&out->allowed_count) && in.i64(&out->denied_count) &&
            in.strings(&out->allowed_sample) && in.strings(&out->denied_sample) &&
            in.string(&out->detail);
  return ok ? in.position() : 0;
}

// Formats a PostgreSQL timestamp (microseconds since 2000-01-01) as ISO 8601 UTC.
std::string iso8601_utc(int64_t pg_microseconds) {
  constexpr int64_t kPerDay = 86'400'000'000;
  int64_t days = pg_microseconds / kPerDay;
  int64_t rest = pg_microseconds % kPerDay;
  if (rest < 0) rest += kPerDay, --days;
  // Civil date from days since 1970-01-01 (proleptic Gregorian calendar).
  int64_t z = days + 10957 + 719468;  // 2000-01-01 is day 10957 of the Unix epoch
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  int64_t seconds = rest / 1'000'000;
  char text[48];
  snprintf(text, sizeof text, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%06lldZ",
           static_cast<long long>(year), static_cast<long long>(month), static_cast<long long>(day),
           static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
           static_cast<long long>(seconds % 60), static_cast<long long>(rest % 1'000'000));
  return text;
}

namespace {

void json_key(std::string* out, const char* key) {
  if (out->size() > 1) out->push_back(',');
  append_json_string(out, key);
  out->push_back(':');
}

void json_text(std::string* out, const char* key, const std::string& value) {
  if (value.empty()) return;
  json_key(out, key);
  append_json_string(out, value);
}

void json_number(std::string* out, const char* key, int64_t value) {
  json_key(out, key);
  out->append(std::to_string(value));
}

void json_texts(std::string* out, const char* key, const std::vector<std::string>& values) {
  if (values.empty()) return;
  json_key(out, key);
  out->push_back('[');
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out->push_back(',');
    append_json_string(out, values[i]);
  }
  out->push_back(']');
}

}  // namespace

// Formats a record as the JSON object the server log receives.
std::string audit_record_json(const AuditRecord& r, std::string_view logged_because) {
  std::string out = "{";
  json_key(&out, "logged_at");
  append_json_string(&out, iso8601_utc(r.logged_at));
  json_key(&out, "kind");
  append_json_string(&out, audit_kind_name(r.kind));
  json_text(&out, "db_role", r.db_role);
  json_number(&out, "backend_pid", r.backend_pid);
  json_text(&out, "actor", r.actor);
  json_text(&out, "principal", r.principal);
  if (!r.delegation_chain.empty()) {
    json_key(&out, "delegation_chain");
    out.push_back('[');
    for (size_t i = 0; i < r.delegation_chain.size(); ++i) {
      if (i) out.push_back(',');
      out.append(std::to_string(r.delegation_chain[i]));
    }
    out.push_back(']');
  }
  json_text(&out, "purpose", r.purpose);
  if (r.query_id != 0) json_number(&out, "query_id", r.query_id);
  json_text(&out, "query_hash", r.query_hash);
  json_text(&out, "relation", r.relation);
  json_text(&out, "object_type", r.object_type);
  json_text(&out, "object_id", r.object_id);
  json_text(&out, "decision", r.decision);
  if (r.kind != AuditKind::Check) {
    json_number(&out, "allowed_count", r.allowed_count);
    json_number(&out, "denied_count", r.denied_count);
  }
  json_texts(&out, "allowed_sample", r.allowed_sample);
  json_texts(&out, "denied_sample", r.denied_sample);
  json_text(&out, "detail", r.detail);
  if (!logged_because.empty()) {
    json_key(&out, "logged_because");
    append_json_string(&out, logged_because);
  }
  out.push_back('}');
  return out;
}

}  // namespace agentauthz::core
