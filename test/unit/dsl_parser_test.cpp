// Unit tests for parse_dsl: every syntax form of the OpenFGA DSL subset we
// accept, every form we reject, and where errors are reported.
#include "core/dsl_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/dsl_limits.h"
#include "core/error.h"

namespace agentauthz::core {
namespace {

// Prepends the header every model needs.
std::string with_header(const std::string& body) { return "model\n  schema 1.1\n" + body; }

// Parses text, which must be rejected, and returns the error.
ModelError parse_error(std::string_view text) {
  try {
    parse_dsl(text);
  } catch (const ModelError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a ModelError for:\n" << text;
  return ModelError(0, 0, "no error");
}

// Tells whether haystack contains needle.
bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Checks that text is rejected at (line, column) with a reason containing
// needle.
void expect_syntax_error(std::string_view text, int line, int column, std::string_view needle) {
  const ModelError error = parse_error(text);
  EXPECT_EQ(error.line(), line) << error.what() << "\nfor:\n" << text;
  EXPECT_EQ(error.column(), column) << error.what() << "\nfor:\n" << text;
  EXPECT_TRUE(contains(error.reason(), needle))
      << "reason '" << error.reason() << "' lacks '" << needle << "'";
  EXPECT_EQ(error.kind(), ErrorKind::InvalidModel);
}

// Parses the definition of relation `r` on type `t` and returns its rewrite.
ModelAst parse_relation(const std::string& definition) {
  return parse_dsl(
      with_header("type user\ntype t\n  relations\n    define r: " + definition + "\n"));
}

// Returns the rewrite of the only relation parse_relation produced.
const RewriteAst& only_rewrite(const ModelAst& model) {
  return *model.types.at(1).relations.at(0).rewrite;
}

TEST(DslParser, ParsesHeaderOnlyModel) {
  const ModelAst model = parse_dsl("model\n  schema 1.1\n");
  EXPECT_EQ(model.schema_version, "1.1");
  EXPECT_TRUE(model.types.empty());
}

TEST(DslParser, ParsesTheFullExample) {
  const ModelAst model = parse_dsl(
      "model\n"
      "  schema 1.1\n"
      "type user\n"
      "type group\n"
      "  relations\n"
      "    define member: [user, group#member]\n"
      "type folder\n"
      "  relations\n"
      "    define owner: [user]\n"
      "    define parent: [folder]\n"
      "    define viewer: [user, user:*, group#member] or owner or viewer from parent\n"
      "type document\n"
      "  relations\n"
      "    define parent: [folder]\n"
      "    define editor: [user] and (owner or viewer from parent)\n"
      "    define viewer: ([user] or editor) but not blocked   # trailing comment\n");
  ASSERT_EQ(model.types.size(), 4u);
  EXPECT_EQ(model.types[0].name, "user");
  EXPECT_TRUE(model.types[0].relations.empty());
  EXPECT_EQ(model.types[0].pos.line, 3);
  EXPECT_EQ(model.types[0].pos.column, 6);

  const TypeAst& group = model.types[1];
  ASSERT_EQ(group.relations.size(), 1u);
  const RelationAst& member = group.relations[0];
  EXPECT_EQ(member.name, "member");
  EXPECT_EQ(member.pos.line, 6);
  EXPECT_EQ(member.pos.column, 12);
  ASSERT_EQ(member.rewrite->kind, RewriteKind::Direct);
  ASSERT_EQ(member.rewrite->direct_types.size(), 2u);
  EXPECT_EQ(member.rewrite->direct_types[0].type, "user");
  EXPECT_EQ(member.rewrite->direct_types[0].relation, "");
  EXPECT_FALSE(member.rewrite->direct_types[0].wildcard);
  EXPECT_EQ(member.rewrite->direct_types[1].type, "group");
  EXPECT_EQ(member.rewrite->direct_types[1].relation, "member");
  EXPECT_EQ(member.rewrite->direct_types[1].pos.column, 27);

  const RelationAst& folder_viewer = model.types[2].relations[2];
  EXPECT_EQ(folder_viewer.name, "viewer");
  const RewriteAst& union_node = *folder_viewer.rewrite;
  ASSERT_EQ(union_node.kind, RewriteKind::Union);
  ASSERT_EQ(union_node.children.size(), 3u);
  const RewriteAst& direct = *union_node.children[0];
  ASSERT_EQ(direct.kind, RewriteKind::Direct);
  ASSERT_EQ(direct.direct_types.size(), 3u);
  EXPECT_TRUE(direct.direct_types[1].wildcard);
  EXPECT_EQ(direct.direct_types[1].type, "user");
  EXPECT_EQ(direct.direct_types[2].relation, "member");
  EXPECT_EQ(union_node.children[1]->kind, RewriteKind::Computed);
  EXPECT_EQ(union_node.children[1]->relation, "owner");
  const RewriteAst& ttu = *union_node.children[2];
  EXPECT_EQ(ttu.kind, RewriteKind::TupleToUserset);
  EXPECT_EQ(ttu.relation, "viewer");
  EXPECT_EQ(ttu.tupleset, "parent");
  EXPECT_EQ(ttu.pos.line, 11);
  EXPECT_EQ(ttu.pos.column, 61);

  const RelationAst& editor = model.types[3].relations[1];
  ASSERT_EQ(editor.rewrite->kind, RewriteKind::Intersection);
  ASSERT_EQ(editor.rewrite->children.size(), 2u);
  EXPECT_EQ(editor.rewrite->children[0]->kind, RewriteKind::Direct);
  const RewriteAst& grouped = *editor.rewrite->children[1];
  ASSERT_EQ(grouped.kind, RewriteKind::Union);
  ASSERT_EQ(grouped.children.size(), 2u);
  EXPECT_EQ(grouped.children[1]->kind, RewriteKind::TupleToUserset);

  const RelationAst& viewer = model.types[3].relations[2];
  ASSERT_EQ(viewer.rewrite->kind, RewriteKind::Exclusion);
  ASSERT_EQ(viewer.rewrite->children.size(), 2u);
  EXPECT_EQ(viewer.rewrite->children[0]->kind, RewriteKind::Union);
  EXPECT_EQ(viewer.rewrite->children[1]->relation, "blocked");
  EXPECT_EQ(viewer.rewrite->pos.column, 20);
}

// ---- header -------------------------------------------------------------

TEST(DslParser, AcceptsBlankAndCommentLinesAroundTheHeader) {
  const ModelAst model = parse_dsl(
      "\n\n# leading comment\n   \nmodel   \n  # between\n\n  schema 1.1   # note\n\n\ntype "
      "user\n\n");
  EXPECT_EQ(model.schema_version, "1.1");
  ASSERT_EQ(model.types.size(), 1u);
  EXPECT_EQ(model.types[0].pos.line, 11);
}

TEST(DslParser, RejectsAMissingHeader) {
  expect_syntax_error("type user\n", 1, 1, "missing model header");
  expect_syntax_error("", 1, 1, "missing model header");
  expect_syntax_error("# only a comment\n", 2, 1, "missing model header");
}

TEST(DslParser, RejectsAMissingSchemaLine) {
  expect_syntax_error("model\ntype user\n", 2, 1, "missing 'schema 1.1'");
  expect_syntax_error("model\n", 2, 1, "missing 'schema 1.1'");
  expect_syntax_error("model\n  schema1.1\n", 2, 3, "missing 'schema 1.1'");
}

TEST(DslParser, RequiresModelAndSchemaOnSeparateLines) {
  expect_syntax_error("model schema 1.1\n", 1, 7, "alone on its line");
}

TEST(DslParser, AcceptsOnlySchema11) {
  expect_syntax_error("model\n  schema 1.0\ntype user\n", 2, 10, "only schema 1.1 is supported");
  expect_syntax_error("model\n  schema 1.2\n", 2, 10, "only schema 1.1 is supported");
  expect_syntax_error("model\n  schema 0.9\n", 2, 10, "only schema 1.1 is supported");
  expect_syntax_error("model\n  schema 11\n", 2, 10, "only schema 1.1 is supported");
  expect_syntax_error("model\n  schema 1.1.1\n", 2, 10, "only schema 1.1 is supported");
  expect_syntax_error("model\n  schema a.b\n", 2, 10, "expected a schema version");
  expect_syntax_error("model\n  schema\n", 2, 9, "expected a schema version");
}

TEST(DslParser, RejectsTrailingTextAfterTheVersion) {
  expect_syntax_error("model\n  schema 1.1 type user\n", 2, 14, "expected end of line");
}

TEST(DslParser, RejectsModules) {
  expect_syntax_error("module core\ntype user\n", 1, 1, "modules are not supported");
  expect_syntax_error(with_header("extend type user\n"), 3, 1, "modules are not supported");
}

TEST(DslParser, RejectsASecondHeader) {
  expect_syntax_error(with_header("type user\nmodel\n"), 4, 1, "only once");
}

// ---- types and relations ------------------------------------------------

TEST(DslParser, ParsesTypesWithAndWithoutRelations) {
  const ModelAst model = parse_dsl(with_header(
      "type user\ntype team-a_1\n  relations\n    define mem_ber-2: [user]\ntype _x\n"));
  ASSERT_EQ(model.types.size(), 3u);
  EXPECT_EQ(model.types[1].name, "team-a_1");
  EXPECT_EQ(model.types[1].relations[0].name, "mem_ber-2");
  EXPECT_EQ(model.types[2].name, "_x");
}

TEST(DslParser, IgnoresIndentation) {
  const ModelAst model = parse_dsl(
      "model\nschema 1.1\ntype user\n        type doc\nrelations\n\t\t\tdefine viewer: [user]\n");
  ASSERT_EQ(model.types.size(), 2u);
  EXPECT_EQ(model.types[1].relations.size(), 1u);
}

TEST(DslParser, AcceptsWindowsAndOldMacLineEndings) {
  const ModelAst crlf = parse_dsl(
      "model\r\n  schema 1.1\r\ntype user\r\ntype doc\r\n  relations\r\n    define viewer: "
      "[user]\r\n");
  ASSERT_EQ(crlf.types.size(), 2u);
  EXPECT_EQ(crlf.types[1].relations[0].pos.line, 6);
  EXPECT_EQ(crlf.types[1].relations[0].pos.column, 12);
  const ModelAst cr = parse_dsl("model\r  schema 1.1\rtype user\r");
  ASSERT_EQ(cr.types.size(), 1u);
  EXPECT_EQ(cr.types[0].pos.line, 3);
}

TEST(DslParser, AcceptsInputWithoutAFinalLineBreak) {
  const ModelAst model = parse_dsl("model\n  schema 1.1\ntype user");
  ASSERT_EQ(model.types.size(), 1u);
}

TEST(DslParser, AcceptsKeywordsThatOpenFgaAllowsAsDefinedNames) {
  const ModelAst model = parse_dsl(
      with_header("type user\n"
                  "type model\n  relations\n    define schema: [user]\n    define type: [user]\n"
                  "    define relation: [user]\n    define model: [user]\n"
                  "type schema\ntype type\ntype relation\n"));
  ASSERT_EQ(model.types.size(), 5u);
  EXPECT_EQ(model.types[1].name, "model");
  EXPECT_EQ(model.types[1].relations[1].name, "type");
  EXPECT_EQ(model.types[3].name, "type");
}

// Statement keywords are names elsewhere, also where referenced: OpenFGA's
// own test models define and use `type module`.
TEST(DslParser, AcceptsStatementKeywordsAsReferences) {
  const ModelAst model = parse_dsl(
      with_header("type type\ntype module\n  relations\n    define condition: [type]\n"
                  "type doc\n  relations\n    define model: [module#condition]\n"
                  "    define parent: [module]\n    define v: model or condition from parent\n"));
  ASSERT_EQ(model.types.size(), 3u);
  EXPECT_EQ(model.types[1].name, "module");
  const RewriteAst& rewrite = *model.types[2].relations[2].rewrite;
  ASSERT_EQ(rewrite.kind, RewriteKind::Union);
  EXPECT_EQ(rewrite.children[0]->relation, "model");
  EXPECT_EQ(rewrite.children[1]->relation, "condition");
}

TEST(DslParser, RejectsReservedWordsAsNames) {
  expect_syntax_error(with_header("type and\n"), 3, 6, "is a keyword");
  expect_syntax_error(with_header("type user\n  relations\n    define or: [user]\n"), 5, 12,
                      "is a keyword");
  expect_syntax_error(with_header("type user\n  relations\n    define from: [user]\n"), 5, 12,
                      "is a keyword");
  expect_syntax_error(with_header("type with\n"), 3, 6, "is a keyword");
}

TEST(DslParser, AcceptsWordsThatOnlyStartLikeKeywords) {
  const ModelAst model = parse_dsl(with_header(
      "type types\ntype order\n  relations\n    define but: [types]\n    define nota: [types]\n"
      "    define fromage: [types]\n    define android: but or nota or fromage\n"));
  const RewriteAst& rewrite = *model.types[1].relations[3].rewrite;
  ASSERT_EQ(rewrite.kind, RewriteKind::Union);
  EXPECT_EQ(rewrite.children[0]->relation, "but");
  EXPECT_EQ(rewrite.children[2]->relation, "fromage");
}

TEST(DslParser, RejectsMalformedTypeLines) {
  expect_syntax_error(with_header("type\n"), 3, 5, "expected a type name");
  expect_syntax_error(with_header("type user extra\n"), 3, 11, "expected end of line");
  expect_syntax_error(with_header("typeuser\n"), 3, 1, "expected 'type'");
  expect_syntax_error(with_header("type user relations\n"), 3, 11, "expected end of line");
  expect_syntax_error(with_header("type 9lives\n"), 3, 6, "expected a type name");
}

TEST(DslParser, RequiresADefineAfterRelations) {
  expect_syntax_error(with_header("type user\n  relations\ntype doc\n"), 4, 3,
                      "at least one 'define'");
  expect_syntax_error(with_header("type user\n  relations\n"), 4, 3, "at least one 'define'");
  expect_syntax_error(with_header("type user\n  relations\n  # only a comment\n"), 4, 3,
                      "at least one 'define'");
}

TEST(DslParser, RequiresRelationsBeforeDefine) {
  expect_syntax_error(with_header("type user\ntype doc\n    define viewer: [user]\n"), 5, 5,
                      "must follow a 'relations' line");
  expect_syntax_error(with_header("define viewer: [user]\n"), 3, 1,
                      "must follow a 'relations' line");
  expect_syntax_error(with_header("relations\n"), 3, 1, "must directly follow a 'type' line");
}

TEST(DslParser, RejectsASecondRelationsBlock) {
  expect_syntax_error(
      with_header(
          "type user\n  relations\n    define a: [user]\n  relations\n    define b: [user]\n"),
      6, 3, "must directly follow a 'type' line");
}

TEST(DslParser, RejectsRelationsOnTheTypeLineOrDefineOnTheRelationsLine) {
  expect_syntax_error(with_header("type user\n  relations define a: [user]\n"), 4, 13,
                      "expected end of line");
}

TEST(DslParser, ParsesDefineSpacingVariants) {
  const ModelAst model =
      parse_dsl(with_header("type user\n  relations\n    define a:[user]\n    define b : [user]\n"
                            "    define\tc\t:\t[user]\n"));
  ASSERT_EQ(model.types[0].relations.size(), 3u);
  EXPECT_EQ(model.types[0].relations[2].name, "c");
}

TEST(DslParser, RejectsMalformedDefines) {
  expect_syntax_error(with_header("type user\n  relations\n    define viewer [user]\n"), 5, 19,
                      "expected ':'");
  expect_syntax_error(with_header("type user\n  relations\n    define viewer as self\n"), 5, 19,
                      "schema 1.0");
  expect_syntax_error(with_header("type user\n  relations\n    define: [user]\n"), 5, 11,
                      "expected a relation name");
  expect_syntax_error(with_header("type user\n  relations\n    define viewer:\n"), 5, 19,
                      "expected a relation name, '(' or '['");
  expect_syntax_error(with_header("type user\n  relations\n    define\n"), 5, 11,
                      "expected a relation name");
}

// ---- type restrictions --------------------------------------------------

TEST(DslParser, ParsesTypeRestrictionForms) {
  const ModelAst model = parse_relation("[user, user:*, t#r, _a-b#c_d]");
  const RewriteAst& direct = only_rewrite(model);
  ASSERT_EQ(direct.kind, RewriteKind::Direct);
  ASSERT_EQ(direct.direct_types.size(), 4u);
  EXPECT_EQ(direct.direct_types[1].type, "user");
  EXPECT_TRUE(direct.direct_types[1].wildcard);
  EXPECT_EQ(direct.direct_types[2].type, "t");
  EXPECT_EQ(direct.direct_types[2].relation, "r");
  EXPECT_EQ(direct.direct_types[3].type, "_a-b");
  EXPECT_EQ(direct.direct_types[3].relation, "c_d");
  EXPECT_EQ(direct.pos.line, 6);
  EXPECT_EQ(direct.pos.column, 15);
}

TEST(DslParser, AllowsBlanksAndLineBreaksAroundRestrictions) {
  const ModelAst spaced_model = parse_relation("[   user ,  user:*   ,t#r   ]");
  const RewriteAst& spaced = only_rewrite(spaced_model);
  EXPECT_EQ(spaced.direct_types.size(), 3u);
  const ModelAst multiline = parse_relation("[\n      user,\n      # a comment\n      t#r\n    ]");
  EXPECT_EQ(only_rewrite(multiline).direct_types.size(), 2u);
  EXPECT_EQ(only_rewrite(multiline).direct_types[1].pos.line, 9);
}

TEST(DslParser, RejectsMalformedRestrictions) {
  const std::string prefix = "type user\ntype t\n  relations\n    define r: ";
  expect_syntax_error(with_header(prefix + "[]\n"), 6, 16, "cannot be empty");
  expect_syntax_error(with_header(prefix + "[ ]\n"), 6, 17, "cannot be empty");
  expect_syntax_error(with_header(prefix + "[user,]\n"), 6, 21, "expected a type name");
  expect_syntax_error(with_header(prefix + "[user:*:*]\n"), 6, 22, "expected ',' or ']'");
  expect_syntax_error(with_header(prefix + "[user:]\n"), 6, 21, "expected '*'");
  expect_syntax_error(with_header(prefix + "[user: *]\n"), 6, 22, "expected '*'");
  expect_syntax_error(with_header(prefix + "[user :*]\n"), 6, 21, "expected ',' or ']'");
  expect_syntax_error(with_header(prefix + "[t#]\n"), 6, 18, "expected a relation name");
  expect_syntax_error(with_header(prefix + "[t#r:*]\n"), 6, 19, "expected ',' or ']'");
  expect_syntax_error(with_header(prefix + "[user\n"), 7, 1, "expected ',' or ']'");
  expect_syntax_error(with_header(prefix + "[user user]\n"), 6, 21, "expected ',' or ']'");
  expect_syntax_error(with_header(prefix + "[*]\n"), 6, 16, "expected a type name");
}

TEST(DslParser, TreatsHashAfterABlankAsAComment) {
  // OpenFGA cuts a line at " #", so a spaced userset is a comment.
  expect_syntax_error(with_header("type user\ntype t\n  relations\n    define r: [t #r]\n"), 7, 1,
                      "expected ',' or ']'");
}

TEST(DslParser, AllowsADirectRestrictionOnlyAsTheLeftmostOperand) {
  EXPECT_EQ(only_rewrite(parse_relation("[user] or a")).kind, RewriteKind::Union);
  EXPECT_EQ(only_rewrite(parse_relation("([user])")).kind, RewriteKind::Direct);
  EXPECT_EQ(only_rewrite(parse_relation("(([user] or a) and b) but not c")).kind,
            RewriteKind::Exclusion);
  const std::string prefix = "type user\ntype t\n  relations\n    define r: ";
  expect_syntax_error(with_header(prefix + "a or [user]\n"), 6, 20, "first operand");
  expect_syntax_error(with_header(prefix + "[user] or [t]\n"), 6, 25, "first operand");
  expect_syntax_error(with_header(prefix + "a but not [user]\n"), 6, 25, "first operand");
  expect_syntax_error(with_header(prefix + "a or ([user] or b)\n"), 6, 21, "first operand");
  expect_syntax_error(with_header(prefix + "(a or [user])\n"), 6, 21, "first operand");
}

// ---- operators ------------------------------------------------------------

TEST(DslParser, ParsesEachOperatorAndKeepsOperandOrder) {
  const ModelAst union_node_model = parse_relation("a or b or c");
  const RewriteAst& union_node = only_rewrite(union_node_model);
  ASSERT_EQ(union_node.kind, RewriteKind::Union);
  ASSERT_EQ(union_node.children.size(), 3u);
  EXPECT_EQ(union_node.children[2]->relation, "c");
  const ModelAst intersection_model = parse_relation("a and b and c and d");
  const RewriteAst& intersection = only_rewrite(intersection_model);
  ASSERT_EQ(intersection.kind, RewriteKind::Intersection);
  EXPECT_EQ(intersection.children.size(), 4u);
  const ModelAst exclusion_model = parse_relation("a but not b");
  const RewriteAst& exclusion = only_rewrite(exclusion_model);
  ASSERT_EQ(exclusion.kind, RewriteKind::Exclusion);
  EXPECT_EQ(exclusion.children[0]->relation, "a");
  EXPECT_EQ(exclusion.children[1]->relation, "b");
}

TEST(DslParser, ParsesParenthesesAsNesting) {
  const ModelAst node_model = parse_relation("(a or b) and (c but not d) and e");
  const RewriteAst& node = only_rewrite(node_model);
  ASSERT_EQ(node.kind, RewriteKind::Intersection);
  ASSERT_EQ(node.children.size(), 3u);
  EXPECT_EQ(node.children[0]->kind, RewriteKind::Union);
  EXPECT_EQ(node.children[1]->kind, RewriteKind::Exclusion);
  EXPECT_EQ(node.children[2]->kind, RewriteKind::Computed);
  const ModelAst redundant_model = parse_relation("((( a )))");
  const RewriteAst& redundant = only_rewrite(redundant_model);
  EXPECT_EQ(redundant.kind, RewriteKind::Computed);
  const ModelAst nested_model =
      parse_relation("(a or b) but not ((c and d) but not (e but not f))");
  const RewriteAst& nested = only_rewrite(nested_model);
  ASSERT_EQ(nested.kind, RewriteKind::Exclusion);
  EXPECT_EQ(nested.children[1]->kind, RewriteKind::Exclusion);
  EXPECT_EQ(nested.children[1]->children[1]->kind, RewriteKind::Exclusion);
}

TEST(DslParser, RejectsMixedOperatorsWithoutParentheses) {
  const std::string prefix = "type user\ntype t\n  relations\n    define r: ";
  expect_syntax_error(with_header(prefix + "a or b and c\n"), 6, 22, "cannot mix 'or' and 'and'");
  expect_syntax_error(with_header(prefix + "a and b or c\n"), 6, 23, "cannot mix 'and' and 'or'");
  expect_syntax_error(with_header(prefix + "a or b but not c\n"), 6, 22, "cannot mix");
  expect_syntax_error(with_header(prefix + "[user] and a or (b but not c)\n"), 6, 28, "cannot mix");
  expect_syntax_error(with_header(prefix + "(a and b or c)\n"), 6, 24, "cannot mix");
}

TEST(DslParser, TakesExactlyOneOperandAfterButNot) {
  const std::string prefix = "type user\ntype t\n  relations\n    define r: ";
  expect_syntax_error(with_header(prefix + "a but not b but not c\n"), 6, 27,
                      "exactly one operand");
  expect_syntax_error(with_header(prefix + "a but not b or c\n"), 6, 27, "exactly one operand");
  expect_syntax_error(with_header(prefix + "(a but not b but not c)\n"), 6, 28,
                      "exactly one operand");
}

TEST(DslParser, RequiresBlanksAroundOperators) {
  const std::string prefix = "type user\ntype t\n  relations\n    define r: ";
  expect_syntax_error(with_header(prefix + "a or(b)\n"), 6, 19, "expected whitespace after 'or'");
  expect_syntax_error(with_header(prefix + "(a)or b\n"), 6, 18, "expected whitespace before 'or'");
  expect_syntax_error(with_header(prefix + "[user]and a\n"), 6, 21, "expected whitespace before");
  const ModelAst spaced_model = parse_relation("a \t or\t\t b");
  const RewriteAst& spaced = only_rewrite(spaced_model);
  EXPECT_EQ(spaced.kind, RewriteKind::Union);
}

TEST(DslParser, LexesButNotOnlyWithExactlyOneSpace) {
  const std::string prefix = "type user\ntype t\n  relations\n    define r: ";
  expect_syntax_error(with_header(prefix + "a but  not b\n"), 6, 17, "expected end of line");
  expect_syntax_error(with_header(prefix + "a but\tnot b\n"), 6, 17, "expected end of line");
}

TEST(DslParser, RejectsOperatorsWithoutOperands) {
  const std::string prefix = "type user\ntype t\n  relations\n    define r: ";
  expect_syntax_error(with_header(prefix + "or a\n"), 6, 15, "expected a relation name");
  expect_syntax_error(with_header(prefix + "but not a\n"), 6, 15, "expected a relation name");
  expect_syntax_error(with_header(prefix + "a or\n"), 6, 19, "expected an operand after 'or'");
  expect_syntax_error(with_header(prefix + "a or\n b\n"), 6, 19, "expected an operand");
  expect_syntax_error(with_header(prefix + "a and\n"), 6, 20, "expected an operand");
}

TEST(DslParser, RejectsJuxtaposedOperands) {
  expect_syntax_error(with_header("type user\ntype t\n  relations\n    define r: a b\n"), 6, 17,
                      "expected end of line");
}

// ---- tuple to userset -----------------------------------------------------

TEST(DslParser, ParsesFromInEveryPosition) {
  const ModelAst alone_model = parse_relation("viewer from parent");
  const RewriteAst& alone = only_rewrite(alone_model);
  EXPECT_EQ(alone.kind, RewriteKind::TupleToUserset);
  EXPECT_EQ(alone.relation, "viewer");
  EXPECT_EQ(alone.tupleset, "parent");
  EXPECT_EQ(alone.pos.column, 15);
  const ModelAst grouped_model = parse_relation("(viewer from parent)");
  const RewriteAst& grouped = only_rewrite(grouped_model);
  EXPECT_EQ(grouped.kind, RewriteKind::TupleToUserset);
}

TEST(DslParser, CombinesFromWithOperators) {
  EXPECT_THROW(parse_relation("a from p and (b or c from q) but not d"), ModelError);
  const ModelAst node_model = parse_relation("a from p and (b or c from q)");
  const RewriteAst& node = only_rewrite(node_model);
  ASSERT_EQ(node.kind, RewriteKind::Intersection);
  EXPECT_EQ(node.children[0]->kind, RewriteKind::TupleToUserset);
  EXPECT_EQ(node.children[1]->children[1]->tupleset, "q");
}

TEST(DslParser, RejectsMalformedFrom) {
  const std::string prefix = "type user\ntype t\n  relations\n    define r: ";
  expect_syntax_error(with_header(prefix + "viewer from\n"), 6, 26, "after 'from'");
  expect_syntax_error(with_header(prefix + "viewer from [t]\n"), 6, 27, "after 'from'");
  expect_syntax_error(with_header(prefix + "viewer from p from q\n"), 6, 29, "cannot be chained");
  expect_syntax_error(with_header(prefix + "from p\n"), 6, 15, "expected a relation name");
  expect_syntax_error(with_header(prefix + "viewer from (p)\n"), 6, 27, "after 'from'");
  expect_syntax_error(with_header(prefix + "(a or b) from p\n"), 6, 24, "expected end of line");
}

// ---- parentheses ------------------------------------------------------------

TEST(DslParser, RejectsUnbalancedParentheses) {
  const std::string prefix = "type user\ntype t\n  relations\n    define r: ";
  expect_syntax_error(with_header(prefix + "(a or b\n"), 6, 22, "expected ')' to close");
  expect_syntax_error(with_header(prefix + "(a or b))\n"), 6, 23, "expected end of line");
  expect_syntax_error(with_header(prefix + "()\n"), 6, 16, "expected a relation name");
  expect_syntax_error(with_header(prefix + ")\n"), 6, 15, "expected a relation name");
}

// Builds a definition wrapped in depth pairs of parentheses.
std::string nested(int depth, const std::string& inner) {
  return std::string(depth, '(') + inner + std::string(depth, ')');
}

TEST(DslParser, AcceptsNestingUpToTheLimit) {
  const ModelAst node_model = parse_relation(nested(kMaxParenDepth, "a or b"));
  const RewriteAst& node = only_rewrite(node_model);
  EXPECT_EQ(node.kind, RewriteKind::Union);
  std::string chain = "a";
  for (int i = 0; i < kMaxParenDepth; ++i) {
    chain = "(" + chain + " or b" + std::to_string(i) + ")";
  }
  EXPECT_EQ(only_rewrite(parse_relation(chain)).kind, RewriteKind::Union);
}

TEST(DslParser, RejectsNestingBeyondTheLimit) {
  const ModelError error = parse_error(
      with_header("type t\n  relations\n    define r: " + nested(kMaxParenDepth + 1, "a") + "\n"));
  EXPECT_EQ(error.line(), 5);
  EXPECT_EQ(error.column(), 15 + kMaxParenDepth);
  EXPECT_TRUE(contains(error.reason(), "nested more than 64 levels"));
  // Far deeper input fails the same way, without exhausting the stack.
  const ModelError deep = parse_error(
      with_header("type t\n  relations\n    define r: " + std::string(500000, '(') + "\n"));
  EXPECT_TRUE(contains(deep.reason(), "nested more than"));
}

// ---- comments ----------------------------------------------------------------

TEST(DslParser, StripsComments) {
  const ModelAst model = parse_dsl(
      "# header comment\n"
      "model # after model\n"
      "  schema 1.1 # after schema\n"
      "# between types\n"
      "type user # after a type\n"
      "type doc\n"
      "  # before relations\n"
      "  relations # after relations\n"
      "    # before define\n"
      "    define viewer: [user] # after a definition\n"
      "\t# tab-indented comment\n"
      "    define editor: [user, doc#viewer]\t# after a tab\n"
      "# final comment without a line break");
  ASSERT_EQ(model.types.size(), 2u);
  ASSERT_EQ(model.types[1].relations.size(), 2u);
  EXPECT_EQ(model.types[1].relations[1].rewrite->direct_types[1].relation, "viewer");
}

TEST(DslParser, KeepsAHashThatFollowsAWordAsAUserset) {
  expect_syntax_error(with_header("type user\n  relations\n    define a: [user]#x\n"), 5, 21,
                      "expected end of line");
  expect_syntax_error(with_header("type user#x\n"), 3, 10, "expected end of line");
}

// ---- bad input ------------------------------------------------------------

TEST(DslParser, RejectsUnexpectedCharacters) {
  expect_syntax_error(with_header("type user\n  relations\n    define a: [user] @\n"), 5, 22,
                      "unexpected character '@'");
  expect_syntax_error(with_header("type us{er\n"), 3, 8, "unexpected character '{'");
  expect_syntax_error(with_header("type caf\xC3\xA9\n"), 3, 9, "unexpected character byte 0xC3");
  expect_syntax_error(with_header(std::string("type a\0b\n", 9)), 3, 7, "byte 0x00");
  expect_syntax_error(with_header("type -x\n"), 3, 6, "unexpected character '-'");
  expect_syntax_error("\xEF\xBB\xBFmodel\n  schema 1.1\n", 1, 1, "byte 0xEF");
}

TEST(DslParser, RejectsInputOverOneMebibyte) {
  std::string text = with_header("type user\n");
  text += std::string(kMaxDslBytes - text.size(), '\n');
  EXPECT_EQ(parse_dsl(text).types.size(), 1u);  // exactly at the limit
  text += "\n";
  expect_syntax_error(text, 1, 1, "at most 1048576 bytes");
}

TEST(DslParser, AcceptsVeryLongNamesSyntactically) {
  const std::string name(200000, 'n');
  const ModelAst model = parse_dsl(with_header("type " + name + "\n"));
  EXPECT_EQ(model.types[0].name.size(), name.size());
  const ModelError error = parse_error(with_header("type " + name + " x\n"));
  EXPECT_LT(error.reason().size(), 200u);  // messages shorten long names
}

}  // namespace
}  // namespace agentauthz::core
