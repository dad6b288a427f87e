// The per-statement audit summary: counts, bounded samples, and the memory
// estimate the backend uses to hand a summary over in parts.
#include "core/audit_summary.h"

#include <gtest/gtest.h>

#include <string>

namespace agentauthz::core {
namespace {

TEST(AuditSummary, CountsEveryDecisionAndSamplesTheFirst) {
  AuditSummary summary(2);
  for (int i = 0; i < 5; ++i) {
    AuditSummary::Entry& entry = summary.entry(1, 1, "viewer", "document");
    summary.add(entry, i % 2 == 0, std::to_string(i));
  }
  std::vector<AuditSummary::Entry> entries = summary.take();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].allowed, 3);
  EXPECT_EQ(entries[0].denied, 2);
  EXPECT_EQ(entries[0].allowed_sample, (std::vector<std::string>{"0", "2"}));
  EXPECT_EQ(entries[0].denied_sample, (std::vector<std::string>{"1", "3"}));
  EXPECT_TRUE(summary.empty());
  EXPECT_EQ(summary.bytes(), 0u);
}

TEST(AuditSummary, BytesGrowWithEntriesAndSamplesNotWithCounts) {
  AuditSummary summary(1);
  AuditSummary::Entry& entry = summary.entry(1, 1, "viewer", "document");
  summary.add(entry, true, "first");
  size_t one_entry = summary.bytes();
  EXPECT_GT(one_entry, std::string("viewerdocumentfirst").size());
  for (int i = 0; i < 1000; ++i)
    summary.add(summary.entry(1, 1, "viewer", "document"), true, "more");
  EXPECT_EQ(summary.bytes(), one_entry);  // the sample is full: counting costs nothing
  for (int key = 2; key < 102; ++key)
    summary.entry(key, 1, "relation" + std::to_string(key), "document");
  EXPECT_GE(summary.bytes(), one_entry + 100 * sizeof(AuditSummary::Entry));
}

}  // namespace
}  // namespace agentauthz::core
