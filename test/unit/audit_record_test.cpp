#include <gtest/gtest.h>

#include "core/audit_record.h"
#include "core/audit_summary.h"

namespace agentauthz::core {
namespace {

// Returns a record with every field set.
AuditRecord sample_record() {
  AuditRecord r;
  r.id = 42;
  r.logged_at = 849'000'000'123'456;
  r.kind = AuditKind::Summary;
  r.db_role = "research_bot";
  r.backend_pid = 31337;
  r.actor = "agent:research";
  r.principal = "user:carol";
  r.delegation_chain = {7, 9};
  r.purpose = "market study";
  r.query_id = -5'123'456'789;
  r.query_hash = std::string(64, 'a');
  r.relation = "viewer";
  r.object_type = "document";
  r.allowed_count = 3;
  r.denied_count = 1'000'000;
  r.allowed_sample = {"1", "2", std::string("with\0nul", 8)};
  r.denied_sample = {"x"};
  r.detail = "";
  return r;
}

TEST(AuditRecord, RoundTripsEveryField) {
  AuditRecord r = sample_record();
  std::string bytes;
  encode_audit_record(r, &bytes);
  AuditRecord back;
  ASSERT_EQ(decode_audit_record(bytes, &back), bytes.size());
  EXPECT_EQ(back, r);
}

TEST(AuditRecord, DecodesOneRecordFromAStream) {
  std::string bytes;
  AuditRecord first = sample_record(), second = sample_record();
  second.kind = AuditKind::Check;
  second.object_id = "99";
  second.decision = "denied";
  encode_audit_record(first, &bytes);
  size_t first_size = bytes.size();
  encode_audit_record(second, &bytes);
  AuditRecord back;
  ASSERT_EQ(decode_audit_record(bytes, &back), first_size);
  EXPECT_EQ(back, first);
  ASSERT_EQ(decode_audit_record(std::string_view(bytes).substr(first_size), &back),
            bytes.size() - first_size);
  EXPECT_EQ(back, second);
}

TEST(AuditRecord, EveryFieldChangesTheBytes) {
  // The chain hashes these bytes: an edit to any column must show.
  std::string base;
  encode_audit_record(sample_record(), &base);
  std::vector<void (*)(AuditRecord&)> edits = {
      [](AuditRecord& r) { r.id++; },
      [](AuditRecord& r) { r.logged_at++; },
      [](AuditRecord& r) { r.kind = AuditKind::Check; },
      [](AuditRecord& r) { r.db_role += "x"; },
      [](AuditRecord& r) { r.backend_pid++; },
      [](AuditRecord& r) { r.actor = "agent:other"; },
      [](AuditRecord& r) { r.principal.clear(); },
      [](AuditRecord& r) { r.delegation_chain.pop_back(); },
      [](AuditRecord& r) { r.purpose += "."; },
      [](AuditRecord& r) { r.query_id = 0; },
      [](AuditRecord& r) { r.query_hash[0] = 'b'; },
      [](AuditRecord& r) { r.relation = "editor"; },
      [](AuditRecord& r) { r.object_type = "folder"; },
      [](AuditRecord& r) { r.object_id = "1"; },
      [](AuditRecord& r) { r.decision = "allowed"; },
      [](AuditRecord& r) { r.allowed_count--; },
      [](AuditRecord& r) { r.denied_count = 0; },
      [](AuditRecord& r) { r.allowed_sample.pop_back(); },
      [](AuditRecord& r) { r.denied_sample[0] = "y"; },
      [](AuditRecord& r) { r.detail = "note"; },
  };
  for (size_t i = 0; i < edits.size(); ++i) {
    AuditRecord r = sample_record();
    edits[i](r);
    std::string bytes;
    encode_audit_record(r, &bytes);
    EXPECT_NE(bytes, base) << "edit " << i;
  }
}

TEST(AuditRecord, FieldBoundariesAreUnambiguous) {
  // Moving a character from one string to the next must change the bytes.
  AuditRecord a = sample_record(), b = sample_record();
  a.actor = "agent:ab";
  a.principal = "c";
  b.actor = "agent:a";
  b.principal = "bc";
  std::string x, y;
  encode_audit_record(a, &x);
  encode_audit_record(b, &y);
  EXPECT_NE(x, y);
}

TEST(AuditRecord, RejectsTruncatedAndCorruptInput) {
  std::string bytes;
  encode_audit_record(sample_record(), &bytes);
  AuditRecord back;
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_EQ(decode_audit_record(std::string_view(bytes).substr(0, cut), &back), 0u) << cut;
  std::string wrong_version = bytes;
  wrong_version[0] = 9;
  EXPECT_EQ(decode_audit_record(wrong_version, &back), 0u);
  std::string huge_length = bytes;
  // db_role's length follows version (1), id (8), logged_at (8), kind (1).
  huge_length[18 + 7] = static_cast<char>(0x7f);
  EXPECT_EQ(decode_audit_record(huge_length, &back), 0u);
}

TEST(AuditKind, NamesRoundTrip) {
  for (AuditKind kind : {AuditKind::Check, AuditKind::Summary, AuditKind::Listing,
                         AuditKind::Dropped, AuditKind::Purged}) {
    AuditKind back;
    ASSERT_TRUE(parse_audit_kind(audit_kind_name(kind), &back));
    EXPECT_EQ(back, kind);
  }
  AuditKind unused;
  EXPECT_FALSE(parse_audit_kind("edited", &unused));
}

TEST(AuditSummary, CountsPerRelationAndTypeWithBoundedSamples) {
  AuditSummary summary(2);
  for (int i = 0; i < 5; ++i) {
    AuditSummary::Entry& e = summary.entry(1, 10, "viewer", "document");
    summary.add(e, i % 2 == 0, std::to_string(i));
  }
  AuditSummary::Entry& other = summary.entry(2, 10, "editor", "document");
  EXPECT_TRUE(summary.wants_sample(other, false));
  summary.add(other, false, "7");
  std::vector<AuditSummary::Entry> entries = summary.take();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].relation, "viewer");
  EXPECT_EQ(entries[0].allowed, 3);
  EXPECT_EQ(entries[0].denied, 2);
  EXPECT_EQ(entries[0].allowed_sample, (std::vector<std::string>{"0", "2"}));
  EXPECT_EQ(entries[0].denied_sample, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(entries[1].denied_sample, (std::vector<std::string>{"7"}));
  EXPECT_TRUE(summary.empty());
}

TEST(AuditSummary, SampleFullIsReported) {
  AuditSummary summary(1);
  AuditSummary::Entry& e = summary.entry(1, 1, "viewer", "doc");
  summary.add(e, true, "a");
  EXPECT_FALSE(summary.wants_sample(e, true));
  EXPECT_TRUE(summary.wants_sample(e, false));
}

}  // namespace
}  // namespace agentauthz::core

namespace agentauthz::core {
namespace {

TEST(AuditJson, IsoTimestamps) {
  EXPECT_EQ(iso8601_utc(0), "2000-01-01T00:00:00.000000Z");
  EXPECT_EQ(iso8601_utc(-1), "1999-12-31T23:59:59.999999Z");
  // 2024-02-29 12:34:56.5 UTC: 8825 days after 2000-01-01.
  EXPECT_EQ(iso8601_utc(8825LL * 86'400'000'000 + 45'296'500'000), "2024-02-29T12:34:56.500000Z");
  EXPECT_EQ(iso8601_utc(-10957LL * 86'400'000'000), "1970-01-01T00:00:00.000000Z");
}

TEST(AuditJson, OneLineWithEscapes) {
  AuditRecord r;
  r.kind = AuditKind::Check;
  r.actor = "agent:\"quoted\"\nline";
  r.relation = "viewer";
  r.object_type = "document";
  r.object_id = "7";
  r.decision = "denied";
  r.delegation_chain = {3, 4};
  std::string json = audit_record_json(r);
  EXPECT_EQ(json.find('\n'), std::string::npos);
  EXPECT_NE(json.find("\"actor\":\"agent:\\\"quoted\\\"\\nline\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"delegation_chain\":[3,4]"), std::string::npos) << json;
  EXPECT_NE(json.find("\"kind\":\"check\""), std::string::npos) << json;
  EXPECT_EQ(json.find("allowed_count"), std::string::npos) << json;
  EXPECT_EQ(json.find("logged_because"), std::string::npos) << json;
  std::string with_reason = audit_record_json(r, "hot standby");
  EXPECT_EQ(with_reason.substr(with_reason.size() - 32), ",\"logged_because\":\"hot standby\"}")
      << with_reason;
}

}  // namespace
}  // namespace agentauthz::core
