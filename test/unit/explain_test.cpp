// Unit tests for explain and its JSON: the decision always equals check's,
// a granted explanation names the tuples of the path that grants, the JSON
// is well-formed whatever the ids hold, and explanations stay bounded.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/explain_json.h"
#include "eval_fixture.h"

namespace agentauthz::core {
namespace {

using testing::EvalFixture;
using testing::RandomGraph;

// A strict JSON syntax checker (RFC 8259), enough to know PostgreSQL's
// jsonb input would accept the text.
class JsonChecker {
 public:
  static bool valid(const std::string& text) {
    JsonChecker c(text);
    c.space();
    if (!c.value()) return false;
    c.space();
    return c.pos_ == text.size();
  }

 private:
  explicit JsonChecker(const std::string& text) : s_(text) {}

  void space() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }
  bool eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool literal(const char* word) {
    size_t n = std::char_traits<char>::length(word);
    if (s_.compare(pos_, n, word) != 0) return false;
    pos_ += n;
    return true;
  }
  // Consumes a JSON string literal, escapes included.
  bool string() {
    if (!eat('"')) return false;
    while (pos_ < s_.size()) {
      unsigned char c = s_[pos_++];
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (pos_ >= s_.size()) return false;
      char e = s_[pos_++];
      if (e == 'u') {
        for (int i = 0; i < 4; ++i)
          if (pos_ >= s_.size() || !isxdigit(static_cast<unsigned char>(s_[pos_++]))) return false;
      } else if (std::string("\"\\/bfnrt").find(e) == std::string::npos) {
        return false;
      }
    }
    return false;
  }
  bool number() {
    size_t start = pos_;
    eat('-');
    while (pos_ < s_.size() && (isdigit(static_cast<unsigned char>(s_[pos_])) ||
                                std::string(".eE+-").find(s_[pos_]) != std::string::npos))
      ++pos_;
    return pos_ > start;
  }
  bool value() {
    if (pos_ >= s_.size()) return false;
    char c = s_[pos_];
    if (c == '{') return members('}', true);
    if (c == '[') return members(']', false);
    if (c == '"') return string();
    if (c == 't') return literal("true");
    if (c == 'f') return literal("false");
    if (c == 'n') return literal("null");
    return number();
  }
  // Parses `{...}` or `[...]` from the opening bracket.
  bool members(char close, bool object) {
    ++pos_;
    space();
    if (eat(close)) return true;
    while (true) {
      space();
      if (object) {
        if (!string()) return false;
        space();
        if (!eat(':')) return false;
        space();
      }
      if (!value()) return false;
      space();
      if (eat(close)) return true;
      if (!eat(',')) return false;
    }
  }

  const std::string& s_;
  size_t pos_ = 0;
};

// Explains and renders JSON; returns the decision.
bool explain_json(EvalFixture& f, const std::string& subject, const std::string& relation,
                  const std::string& object, std::string* json) {
  Proof proof;
  bool allowed = f.explain(subject, relation, object, &proof);
  *json = explain_to_json(allowed, subject, relation, object, proof);
  EXPECT_EQ(proof.allowed, allowed) << "root of the proof disagrees with the decision";
  return allowed;
}

// ---- the JSON checker itself --------------------------------------------------------
// The checker used below accepts JSON and refuses near misses.

TEST(JsonCheckerSelfTest, AcceptsJsonAndRefusesNearMisses) {
  EXPECT_TRUE(JsonChecker::valid(R"({"a":[1,true,null,"x\n\u00e9"],"b":{}})"));
  EXPECT_FALSE(JsonChecker::valid(R"({"a":1,})"));
  EXPECT_FALSE(JsonChecker::valid("{\"a\":\"\x01\"}"));
  EXPECT_FALSE(JsonChecker::valid(R"({"a":"\q"})"));
  EXPECT_FALSE(JsonChecker::valid(R"({"a":1}})"));
}

// ---- decision ----------------------------------------------------------------------
// On random tuple sets over a model with every rewrite kind, explain
// decides exactly like a fresh check, and its JSON is well-formed.

TEST(Explain, DecisionEqualsCheckOnRandomGraphs) {
  std::mt19937 rng(31337);
  int granted = 0, compared = 0;
  for (int trial = 0; trial < 40; ++trial) {
    EvalFixture f(RandomGraph::kModel);
    std::vector<std::string> tuples = RandomGraph::tuples(rng, 20);
    f.add_all(tuples);
    for (const std::string& object : RandomGraph::objects()) {
      std::string type = object.substr(0, object.find(':'));
      for (const std::string& relation : RandomGraph::relations_of(type)) {
        for (const std::string& subject : RandomGraph::subjects()) {
          std::string where =
              subject + " " + relation + " " + object + " (trial " + std::to_string(trial) + ")";
          bool checked;
          try {
            f.evaluator().clear_memo();
            checked = f.check(subject, relation, object);
          } catch (const Error& error) {
            EXPECT_EQ(error.kind(), ErrorKind::DepthExceeded);
            continue;
          }
          std::string json;
          EXPECT_EQ(explain_json(f, subject, relation, object, &json), checked) << where;
          EXPECT_TRUE(JsonChecker::valid(json)) << where << "\n" << json;
          ++compared;
          granted += checked;
        }
      }
    }
    if (HasFailure()) FAIL() << "stopping at trial " << trial;
  }
  EXPECT_GT(granted, compared / 50);
}

TEST(Explain, LeavesLaterChecksCorrect) {
  EvalFixture f(RandomGraph::kModel);
  f.add({"group:g1#member@user:u1", "document:d1#viewer@group:g1#member"});
  EXPECT_TRUE(f.check("user:u1", "viewer", "document:d1"));
  Proof proof;
  EXPECT_FALSE(f.explain("user:u2", "viewer", "document:d1", &proof));
  EXPECT_TRUE(f.check("user:u1", "viewer", "document:d1"));
  EXPECT_FALSE(f.check("user:u2", "viewer", "document:d1"));
}

// ---- content --------------------------------------------------------------------------
// A grant's path lists the tuples it used in order; a denial has no path
// and says why where it can.

constexpr const char* kDocs = R"(type user
type group
  relations
    define member: [user, group#member]
type folder
  relations
    define viewer: [user]
type document
  relations
    define parent: [folder]
    define blocked: [user]
    define viewer: [user, user:*, group#member] or viewer from parent
    define reader: viewer but not blocked
)";

TEST(Explain, GrantedPathListsTheUsersetTuplesInOrder) {
  EvalFixture f(kDocs);
  f.add({"document:1#viewer@group:all#member", "group:all#member@group:eng#member",
         "group:eng#member@user:anne"});
  std::string json;
  ASSERT_TRUE(explain_json(f, "user:anne", "viewer", "document:1", &json));
  size_t first = json.find("\"document:1#viewer@group:all#member\"");
  size_t second = json.find("\"group:all#member@group:eng#member\"");
  size_t third = json.find("\"group:eng#member@user:anne\"");
  ASSERT_NE(first, std::string::npos) << json;
  ASSERT_NE(second, std::string::npos) << json;
  ASSERT_NE(third, std::string::npos) << json;
  EXPECT_LT(first, second);
  EXPECT_LT(second, third);
  EXPECT_NE(json.find("\"path\":["), std::string::npos) << json;
}

TEST(Explain, GrantedPathNamesTheParentAndTheWildcardTuples) {
  EvalFixture f(kDocs);
  f.add({"document:1#parent@folder:f", "folder:f#viewer@user:anne", "document:2#viewer@user:*"});
  std::string json;
  ASSERT_TRUE(explain_json(f, "user:anne", "viewer", "document:1", &json));
  EXPECT_NE(json.find("document:1#parent@folder:f"), std::string::npos) << json;
  EXPECT_NE(json.find("folder:f#viewer@user:anne"), std::string::npos) << json;
  ASSERT_TRUE(explain_json(f, "user:bob", "viewer", "document:2", &json));
  EXPECT_NE(json.find("document:2#viewer@user:*"), std::string::npos) << json;
}

TEST(Explain, DenialHasNoPathAndMarksTheExclusion) {
  EvalFixture f(kDocs);
  f.add({"document:1#viewer@user:anne", "document:1#blocked@user:anne"});
  std::string json;
  ASSERT_FALSE(explain_json(f, "user:anne", "reader", "document:1", &json));
  EXPECT_EQ(json.find("\"path\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"allowed\":false"), std::string::npos) << json;
  EXPECT_NE(json.find("excluded"), std::string::npos) << json;
  EXPECT_TRUE(JsonChecker::valid(json)) << json;
}

TEST(Explain, JsonEscapesQuotesBackslashesAndKeepsNonAscii) {
  EvalFixture f(kDocs);
  std::string odd = "document:a\"b\\c\xc3\xa9";
  f.add({std::string(odd + "#viewer@user:x\"y").c_str()});
  std::string json;
  ASSERT_TRUE(explain_json(f, "user:x\"y", "viewer", odd, &json));
  EXPECT_TRUE(JsonChecker::valid(json)) << json;
  EXPECT_NE(json.find("a\\\"b\\\\c\xc3\xa9"), std::string::npos) << json;
}

TEST(Explain, AppendJsonStringEscapesEveryControlCharacter) {
  for (int c = 0; c < 0x20; ++c) {
    std::string out;
    append_json_string(&out, std::string(1, static_cast<char>(c)) + "x");
    EXPECT_TRUE(JsonChecker::valid(out)) << c << ": " << out;
  }
}

// ---- size and cost -------------------------------------------------------------------------
// A denial over many branches gives a bounded, well-formed explanation, and
// explaining cyclic data stays polynomial.

TEST(Explain, DenialOverManyBranchesIsBoundedAndWellFormed) {
  EvalFixture f(kDocs);
  for (int i = 0; i < 300; ++i)
    f.add({"document:1#viewer@group:g" + std::to_string(i) + "#member"});
  std::string json;
  ASSERT_FALSE(explain_json(f, "user:anne", "viewer", "document:1", &json));
  EXPECT_TRUE(JsonChecker::valid(json));
  EXPECT_LT(json.size(), 64u * 1024) << "an explanation should not list 300 branches";
  EXPECT_NE(json.find("further branches omitted"), std::string::npos);
}

TEST(Explain, RaisesTheDepthErrorLikeCheck) {
  std::string body = "type user\ntype document\n  relations\n";
  for (int i = 1; i <= 25; ++i)
    body += "    define a" + std::to_string(i) + ": a" + std::to_string(i + 1) + "\n";
  body += "    define a26: [user]\n";
  EvalFixture f(body);
  Proof proof;
  try {
    f.explain("user:anne", "a1", "document:1", &proof);
    ADD_FAILURE() << "expected DepthExceeded";
  } catch (const Error& error) {
    EXPECT_EQ(error.kind(), ErrorKind::DepthExceeded);
  }
}

// Regression: explain clears the memo and resolve() remembered nothing
// while a proof was being built, so a denied explanation walked every
// simple path of a cyclic group graph, with a proof node for each: n! paths
// for n mutually nested groups (10 groups took ~35 s).
TEST(Explain, ExplainOverMutuallyNestedGroupsIsPolynomial) {
  auto polls = std::make_shared<uint64_t>(0);
  EvalOptions options;
  options.interrupted = [polls] { return ++*polls * 64 > 200000; };
  EvalFixture f(kDocs, options);
  for (int i = 0; i < 12; ++i)
    for (int j = 0; j < 12; ++j)
      if (i != j)
        f.add({"group:g" + std::to_string(i) + "#member@group:g" + std::to_string(j) + "#member"});
  f.add({"document:1#viewer@group:g0#member"});
  EXPECT_FALSE(f.check("user:anne", "viewer", "document:1"));
  try {
    std::string json;
    EXPECT_FALSE(explain_json(f, "user:anne", "viewer", "document:1", &json));
  } catch (const Error& error) {
    ADD_FAILURE() << "explain over 12 mutually nested groups took more than 200000 steps ("
                  << error.what() << ")";
  }
}

}  // namespace
}  // namespace agentauthz::core
