#include "core/audit_record.h"

#include <cstring>

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
    case AuditKind::Check: return "check";
    case AuditKind::Summary: return "summary";
    case AuditKind::Listing: return "listing";
    case AuditKind::Dropped: return "dropped";
    case AuditKind::Purged: return "purged";
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
         delegation_chain == o.delegation_chain && purpose == o.purpose &&
         query_id == o.query_id && query_hash == o.query_hash && relation == o.relation &&
         object_type == o.object_type && object_id == o.object_id && decision == o.decision &&
         allowed_count == o.allowed_count && denied_count == o.denied_count &&
         allowed_sample == o.allowed_sample && denied_sample == o.denied_sample &&
         detail == o.detail;
}

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

size_t decode_audit_record(std::string_view bytes, AuditRecord* r) {
  Reader in(bytes);
  uint8_t version = 0, kind = 0;
  if (!in.u8(&version) || version != kFormatVersion) return 0;
  if (!in.i64(&r->id) || !in.i64(&r->logged_at) || !in.u8(&kind)) return 0;
  if (kind < static_cast<uint8_t>(AuditKind::Check) || kind > static_cast<uint8_t>(AuditKind::Purged))
    return 0;
  r->kind = static_cast<AuditKind>(kind);
  bool ok = in.string(&r->db_role) && in.i32(&r->backend_pid) && in.string(&r->actor) &&
            in.string(&r->principal) && in.integers(&r->delegation_chain) &&
            in.string(&r->purpose) && in.i64(&r->query_id) && in.string(&r->query_hash) &&
            in.string(&r->relation) && in.string(&r->object_type) && in.string(&r->object_id) &&
            in.string(&r->decision) && in.i64(&r->allowed_count) && in.i64(&r->denied_count) &&
            in.strings(&r->allowed_sample) && in.strings(&r->denied_sample) &&
            in.string(&r->detail);
  return ok ? in.position() : 0;
}

}  // namespace agentauthz::core
