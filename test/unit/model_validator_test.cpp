// Unit tests for validate_model: each rule OpenFGA applies to a model, with
// a model it accepts and one it refuses, and where the error points.
#include "core/model_validator.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/dsl_limits.h"
#include "core/dsl_parser.h"
#include "core/error.h"
#include "core/model_parse.h"

namespace agentauthz::core {
namespace {

// Prepends the header every model needs.
std::string with_header(const std::string& body) { return "model\n  schema 1.1\n" + body; }

// Tells whether haystack contains needle.
bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Checks that model parses and validates.
void expect_valid(const std::string& body) {
  const std::string text = with_header(body);
  try {
    parse_and_validate_model(text);
  } catch (const ModelError& error) {
    ADD_FAILURE() << error.what() << "\nfor:\n" << text;
  }
}

// Validates a parsed model that must be rejected; returns the error.
ModelError validation_error(const ModelAst& model) {
  try {
    validate_model(model);
  } catch (const ModelError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a ModelError";
  return ModelError(0, 0, "no error");
}

// Checks that body parses but fails validation at (line, column) with a
// reason containing needle. Lines count from the header: the first line of
// body is line 3.
void expect_invalid(const std::string& body, int line, int column, std::string_view needle) {
  const std::string text = with_header(body);
  ModelAst model;
  try {
    model = parse_dsl(text);
  } catch (const ModelError& error) {
    ADD_FAILURE() << "syntax error instead of a semantic one: " << error.what() << "\nfor:\n"
                  << text;
    return;
  }
  const ModelError error = validation_error(model);
  EXPECT_EQ(error.line(), line) << error.what() << "\nfor:\n" << text;
  EXPECT_EQ(error.column(), column) << error.what() << "\nfor:\n" << text;
  EXPECT_TRUE(contains(error.reason(), needle))
      << "reason '" << error.reason() << "' lacks '" << needle << "'";
}

// ---- accepted models ------------------------------------------------------

TEST(ModelValidator, AcceptsTheFullExample) {
  expect_valid(
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
      "    define owner: [user]\n"
      "    define blocked: [user]\n"
      "    define editor: [user] and (owner or viewer from parent)\n"
      "    define viewer: ([user] or editor) but not blocked\n");
}

TEST(ModelValidator, AcceptsARepositoryStyleModel) {
  expect_valid(
      "type user\n"
      "type team\n"
      "  relations\n"
      "    define member: [user, team#member]\n"
      "type organization\n"
      "  relations\n"
      "    define owner: [user]\n"
      "    define member: [user] or owner\n"
      "    define repo_admin: [user, organization#member]\n"
      "type repo\n"
      "  relations\n"
      "    define owner: [organization]\n"
      "    define admin: [user, team#member] or repo_admin from owner\n"
      "    define maintainer: [user, team#member] or admin\n"
      "    define writer: [user, team#member] or maintainer or admin\n"
      "    define triager: [user, team#member] or writer\n"
      "    define reader: [user, user:*, team#member] or triager or repo_admin from owner\n");
}

TEST(ModelValidator, AcceptsTypesWithoutRelationsAndKeywordNames) {
  expect_valid("type user\n");
  expect_valid(
      "type user\ntype type\n  relations\n    define relation: [user]\n    define model: "
      "[user]\ntype schema\n");
}

TEST(ModelValidator, AcceptsNamesAtTheLengthLimits) {
  expect_valid("type " + std::string(254, 't') + "\n  relations\n    define " +
               std::string(50, 'r') + ": [" + std::string(254, 't') + "]\n");
}

// ---- schema and types -----------------------------------------------------

TEST(ModelValidator, RequiresSchema11) {
  ModelAst model = parse_dsl(with_header("type user\n"));
  model.schema_version = "1.0";
  const ModelError error = validation_error(model);
  EXPECT_EQ(error.line(), 1);
  EXPECT_TRUE(contains(error.reason(), "only schema 1.1 is supported"));
}

TEST(ModelValidator, RequiresAtLeastOneType) {
  expect_invalid("", 1, 1, "at least one type");
  expect_invalid("# nothing here\n", 1, 1, "at least one type");
}

TEST(ModelValidator, RejectsDuplicateTypes) {
  expect_invalid("type user\ntype doc\ntype user\n", 5, 6,
                 "type 'user' is defined twice (first at line 3)");
}

TEST(ModelValidator, RejectsDuplicateRelations) {
  expect_invalid(
      "type user\ntype doc\n  relations\n    define viewer: [user]\n"
      "    define editor: [user]\n    define viewer: [user]\n",
      8, 12, "relation 'viewer' is defined twice in type 'doc' (first at line 6)");
  // The same relation name on two types is fine.
  expect_valid(
      "type user\ntype a\n  relations\n    define viewer: [user]\n"
      "type b\n  relations\n    define viewer: [user]\n");
}

TEST(ModelValidator, ReservesSelfAndThis) {
  expect_invalid("type user\ntype self\n", 4, 6, "a type cannot be named 'self' or 'this'");
  expect_invalid("type this\n", 3, 6, "a type cannot be named 'self' or 'this'");
  expect_invalid("type user\n  relations\n    define self: [user]\n", 5, 12,
                 "a relation cannot be named 'self' or 'this'");
  expect_invalid("type user\n  relations\n    define this: [user]\n", 5, 12,
                 "a relation cannot be named 'self' or 'this'");
  // Names that merely contain them are fine.
  expect_valid("type self_service\n  relations\n    define thisone: [self_service]\n");
}

TEST(ModelValidator, RejectsNamesOverOpenFgaLimits) {
  expect_invalid("type user\ntype " + std::string(255, 't') + "\n", 4, 6,
                 "is 255 bytes long; at most 254 are allowed");
  expect_invalid("type user\n  relations\n    define " + std::string(51, 'r') + ": [user]\n", 5, 12,
                 "is 51 bytes long; at most 50 are allowed");
}

TEST(ModelValidator, RejectsNamesTheGrammarCannotProduce) {
  ModelAst model = parse_dsl(with_header("type user\n  relations\n    define viewer: [user]\n"));
  model.types[0].name = "a b";
  EXPECT_TRUE(contains(validation_error(model).reason(), "is not a valid type name"));
  model.types[0].name = "";
  EXPECT_TRUE(contains(validation_error(model).reason(), "cannot be empty"));
  model.types[0].name = "user";
  model.types[0].relations[0].name = "and";
  EXPECT_TRUE(contains(validation_error(model).reason(), "is a keyword"));
  model.types[0].relations[0].name = "x#y";
  const ModelError error = validation_error(model);
  EXPECT_EQ(error.line(), 5);
  EXPECT_EQ(error.column(), 12);
  EXPECT_TRUE(contains(error.reason(), "is not a valid relation name"));
}

// ---- type restrictions ------------------------------------------------------

TEST(ModelValidator, RejectsUndefinedTypesInRestrictions) {
  expect_invalid("type user\ntype doc\n  relations\n    define viewer: [user, usr]\n", 6, 27,
                 "type 'usr' is not defined");
}

TEST(ModelValidator, RejectsWildcardsOfUndefinedTypes) {
  expect_invalid("type user\ntype doc\n  relations\n    define viewer: [user, bot:*]\n", 6, 27,
                 "type 'bot' is not defined (in wildcard 'bot:*')");
}

TEST(ModelValidator, RejectsUsersetsOfUndefinedRelations) {
  expect_invalid(
      "type user\ntype group\n  relations\n    define member: [user]\ntype doc\n  relations\n"
      "    define viewer: [group#members]\n",
      9, 21, "relation 'members' is not defined on type 'group' (in 'group#members')");
  expect_invalid("type user\ntype doc\n  relations\n    define viewer: [user#member]\n", 6, 21,
                 "relation 'member' is not defined on type 'user'");
  expect_invalid("type user\ntype doc\n  relations\n    define viewer: [ghost#member]\n", 6, 21,
                 "type 'ghost' is not defined");
}

TEST(ModelValidator, RejectsRepeatedRestrictions) {
  expect_invalid("type user\ntype doc\n  relations\n    define viewer: [user, user]\n", 6, 27,
                 "type restriction 'user' appears twice in relation 'viewer'");
  expect_invalid("type user\ntype doc\n  relations\n    define viewer: [user:*, user, user:*]\n", 6,
                 35, "'user:*' appears twice");
  expect_invalid(
      "type user\ntype doc\n  relations\n    define viewer: [doc#owner, doc#owner]\n"
      "    define owner: [user]\n",
      6, 32, "'doc#owner' appears twice");
  // The three forms of one type are distinct restrictions.
  expect_valid("type user\n  relations\n    define friend: [user, user:*, user#friend]\n");
}

// ---- computed relations ----------------------------------------------------

TEST(ModelValidator, RejectsUndefinedComputedRelations) {
  const std::string prefix = "type user\ntype doc\n  relations\n    define owner: [user]\n";
  expect_invalid(prefix + "    define viewer: owner or editor\n", 7, 29,
                 "relation 'editor' is not defined on type 'doc'");
  expect_invalid(prefix + "    define viewer: [user] and editor\n", 7, 31,
                 "'editor' is not defined");
  expect_invalid(prefix + "    define viewer: editor but not owner\n", 7, 20,
                 "'editor' is not defined");
  expect_invalid(prefix + "    define viewer: owner but not editor\n", 7, 34,
                 "'editor' is not defined");
  expect_invalid(prefix + "    define viewer: (owner or (owner and editor))\n", 7, 41,
                 "'editor' is not defined");
}

TEST(ModelValidator, DoesNotResolveComputedRelationsOnOtherTypes) {
  expect_invalid(
      "type user\ntype folder\n  relations\n    define editor: [user]\ntype doc\n  relations\n"
      "    define viewer: [user] or editor\n",
      9, 30, "relation 'editor' is not defined on type 'doc'");
}

TEST(ModelValidator, RejectsARelationThatRefersToItself) {
  expect_invalid("type user\n  relations\n    define viewer: viewer\n", 5, 20,
                 "relation 'viewer' refers to itself");
  expect_invalid("type user\n  relations\n    define viewer: [user] or viewer\n", 5, 30,
                 "relation 'viewer' refers to itself");
  expect_invalid(
      "type user\n  relations\n    define a: [user]\n    define viewer: a and (a or viewer)\n", 6,
      32, "refers to itself");
}

// ---- tuple to userset ------------------------------------------------------

TEST(ModelValidator, AcceptsFromWhenAnyParentTypeDefinesTheRelation) {
  expect_valid(
      "type user\ntype org\n  relations\n    define admin: [user]\ntype team\n"
      "type doc\n  relations\n    define owner: [org, team]\n    define admin: admin from owner\n");
}

TEST(ModelValidator, RejectsFromOnAnUndefinedTupleset) {
  expect_invalid(
      "type user\ntype doc\n  relations\n    define viewer: [user] or viewer from parent\n", 6, 30,
      "relation 'parent' is not defined on type 'doc' (in 'viewer from parent')");
  // A type of the same name is not a relation.
  expect_invalid(
      "type user\ntype org\n  relations\n    define viewer: [user]\ntype doc\n  relations\n"
      "    define parent: [org]\n    define viewer: viewer from org\n",
      10, 20, "relation 'org' is not defined on type 'doc'");
}

TEST(ModelValidator, RejectsFromWhenNoParentTypeDefinesTheRelation) {
  expect_invalid(
      "type user\ntype org\n  relations\n    define admin: [user]\ntype team\n"
      "type doc\n  relations\n    define owner: [org, team]\n    define admin: boss from owner\n",
      11, 19, "relation 'boss' is not defined on any type of 'owner' ('org', 'team')");
}

TEST(ModelValidator, RequiresTheTuplesetToBeDirectOnly) {
  expect_invalid(
      "type user\ntype folder\n  relations\n    define root: [folder]\n"
      "    define parent: [folder] or root\n    define viewer: [user] or viewer from parent\n",
      8, 30,
      "relation 'parent' is used after 'from' in 'viewer from parent', so it must be "
      "defined by a type restriction alone");
  expect_invalid(
      "type user\ntype folder\n  relations\n    define parent: [folder] or parent from parent\n", 6,
      32, "so it must be defined by a type restriction alone");
  expect_invalid(
      "type user\ntype folder\n  relations\n    define up: [folder]\n    define parent: up\n"
      "    define viewer: [user] or viewer from parent\n",
      8, 30, "must be defined by a type restriction alone");
}

TEST(ModelValidator, RejectsUsersetsAndWildcardsOnATupleset) {
  expect_invalid(
      "type user\ntype folder\n  relations\n    define parent: [folder, folder#parent]\n"
      "    define viewer: [user] or viewer from parent\n",
      6, 29,
      "type restriction 'folder#parent' is not allowed in relation 'parent': it is used "
      "after 'from' in 'viewer from parent' at line 7");
  expect_invalid(
      "type user\ntype folder\n  relations\n    define parent: [folder, folder:*]\n"
      "    define viewer: [user] or viewer from parent\n",
      6, 29, "'folder:*' is not allowed in relation 'parent'");
  // The same restrictions are fine on a relation no 'from' uses.
  expect_valid(
      "type user\ntype folder\n  relations\n    define parent: [folder, folder#parent, "
      "folder:*]\n");
}

TEST(ModelValidator, ChecksTheTuplesetRestrictionsWhenFromIsCheckedFirst) {
  expect_invalid(
      "type user\ntype doc\n  relations\n    define viewer: [user] or viewer from parent\n"
      "    define parent: [folder]\n",
      7, 21, "type 'folder' is not defined");
}

// ---- repeated operands ------------------------------------------------------

TEST(ModelValidator, RejectsAnOperandRepeatedInOneOperation) {
  const std::string prefix =
      "type user\ntype doc\n  relations\n    define parent: [doc]\n    define owner: [user]\n";
  expect_invalid(prefix + "    define viewer: owner or owner\n", 8, 29,
                 "'owner' appears twice in the same 'or' of relation 'viewer'");
  expect_invalid(prefix + "    define viewer: owner and owner\n", 8, 30, "same 'and'");
  expect_invalid(prefix + "    define viewer: owner but not owner\n", 8, 34, "same 'but not'");
  expect_invalid(prefix + "    define viewer: owner from parent or owner from parent\n", 8, 41,
                 "'owner from parent' appears twice");
  expect_invalid(prefix + "    define viewer: [user] and (owner or owner)\n", 8, 41,
                 "appears twice");
  // Different operands, or the same one at different levels, are fine.
  expect_valid(prefix + "    define viewer: owner or owner from parent\n");
  expect_valid(prefix + "    define viewer: owner and (owner or owner from parent)\n");
}

// ---- entry points -----------------------------------------------------------

TEST(ModelValidator, RejectsMutuallyComputedRelationsWithNoWayIn) {
  expect_invalid(
      "type user\ntype doc\n  relations\n    define reader: writer\n    define writer: reader\n", 6,
      12, "relation 'reader' of type 'doc' can never be granted");
  expect_invalid(
      "type user\ntype doc\n  relations\n    define reader: writer\n    define writer: reader\n", 6,
      12, "(potential loop)");
}

TEST(ModelValidator, RejectsATuplesetRecursionWithNoWayIn) {
  expect_invalid(
      "type user\ntype folder\n  relations\n    define parent: [folder]\n"
      "    define viewer: viewer from parent\n",
      7, 12, "relation 'viewer' of type 'folder' can never be granted");
  // A recursion through 'from' is not a computed loop.
  const std::string body =
      "type folder\n  relations\n    define parent: [folder]\n"
      "    define viewer: viewer from parent\n";
  const ModelError error = validation_error(parse_dsl(with_header(body)));
  EXPECT_FALSE(contains(error.reason(), "potential loop"));
}

TEST(ModelValidator, RejectsRecursionAcrossTypesWithNoWayIn) {
  expect_invalid(
      "type user\ntype team\n  relations\n    define parent: [org]\n    define viewer: viewer from "
      "parent\n"
      "type org\n  relations\n    define parent: [team]\n    define viewer: viewer from parent\n",
      7, 12, "relation 'viewer' of type 'team' can never be granted");
}

TEST(ModelValidator, RejectsAUsersetOfItselfAsTheOnlyWayIn) {
  expect_invalid("type group\n  relations\n    define member: [group#member]\n", 5, 12,
                 "relation 'member' of type 'group' can never be granted");
  expect_valid("type user\ntype group\n  relations\n    define member: [user, group#member]\n");
}

TEST(ModelValidator, RequiresEveryIntersectionOperandToHaveAnEntry) {
  expect_invalid(
      "type user\ntype doc\n  relations\n    define editor: [user]\n"
      "    define viewer: [doc#viewer] and editor\n",
      7, 12, "relation 'viewer' of type 'doc' can never be granted");
  expect_valid(
      "type user\ntype doc\n  relations\n    define editor: [user]\n"
      "    define viewer: [user, doc#viewer] and editor\n");
}

TEST(ModelValidator, RequiresBothSidesOfAnExclusionToHaveAnEntry) {
  // OpenFGA requires the subtracted relation to be possible too.
  expect_invalid(
      "type user\ntype doc\n  relations\n    define editor: [user]\n"
      "    define viewer: [doc#viewer] but not editor\n",
      7, 12, "can never be granted");
  expect_invalid(
      "type user\ntype folder\n  relations\n    define parent: [folder]\n"
      "    define blocked: blocked from parent\n    define viewer: [user] but not blocked\n",
      7, 12, "relation 'blocked' of type 'folder' can never be granted");
  expect_invalid(
      "type user\ntype doc\n  relations\n    define admin: [user]\n"
      "    define a1: admin but not a2\n    define a2: admin but not a3\n    define a3: admin but "
      "not a1\n",
      7, 12, "(potential loop)");
}

TEST(ModelValidator, RejectsIntersectionLoopsWithNoWayIn) {
  expect_invalid(
      "type user\ntype doc\n  relations\n    define admin: [user]\n"
      "    define a1: admin and a2\n    define a2: admin and a1\n",
      7, 12, "relation 'a1' of type 'doc' can never be granted");
}

TEST(ModelValidator, FindsEntriesThroughUsersetsAndParents) {
  expect_valid(
      "type user\ntype group\n  relations\n    define member: [user]\n"
      "type folder\n  relations\n    define viewer: [group#member]\n"
      "type doc\n  relations\n    define parent: [folder]\n"
      "    define viewer: viewer from parent\n    define can_read: viewer and viewer from "
      "parent\n");
  // Only one of the tupleset's types needs to define the relation.
  expect_valid(
      "type user\ntype a\n  relations\n    define x: [user]\n"
      "type b\n  relations\n    define viewer: [user]\n"
      "type doc\n  relations\n    define parent: [a, b]\n    define viewer: viewer from parent\n");
}

TEST(ModelValidator, ReportsTheFirstImpossibleRelationInSourceOrder) {
  expect_invalid(
      "type user\ntype doc\n  relations\n    define parent: [doc]\n"
      "    define b: a\n    define a: a from parent\n",
      7, 12, "relation 'b'");
}

// ---- computed cycles --------------------------------------------------------

TEST(ModelValidator, RejectsComputedCyclesEvenWithAWayIn) {
  expect_invalid(
      "type user\ntype doc\n  relations\n    define a: [user] or b\n    define b: [user] or a\n", 6,
      25, "relations of type 'doc' refer to each other in a cycle (a -> b -> a)");
  expect_invalid(
      "type user\ntype doc\n  relations\n    define admin: [user]\n"
      "    define x1: admin or x2 or x3\n    define x2: admin or x3 or x1\n    define x3: admin or "
      "x1 or x2\n",
      7, 25, "cycle (x1 -> x2 -> x3 -> x1)");
  expect_invalid(
      "type user\ntype doc\n  relations\n    define admin: [user]\n"
      "    define x1: admin or x2\n    define x2: admin but not x1\n",
      7, 25, "cycle (x1 -> x2 -> x1)");
}

TEST(ModelValidator, ReportsACycleWhereItStartsEvenFromOutside) {
  expect_invalid(
      "type user\ntype doc\n  relations\n    define top: c1\n"
      "    define c1: [user] or c2\n    define c2: [user] and c1\n",
      7, 26, "cycle (c1 -> c2 -> c1)");
}

TEST(ModelValidator, AllowsRecursionThroughFromAndUsersets) {
  expect_valid(
      "type user\ntype folder\n  relations\n    define parent: [folder]\n"
      "    define viewer: [user, folder#viewer] or viewer from parent\n"
      "    define editor: [user] or editor from parent\n    define can_view: viewer or editor\n");
}

TEST(ModelValidator, AllowsDiamondsOfComputedRelations) {
  expect_valid(
      "type user\ntype doc\n  relations\n    define owner: [user]\n    define editor: [user] or "
      "owner\n"
      "    define commenter: [user] or owner\n    define viewer: editor or commenter\n"
      "    define both: editor and commenter\n");
}

// ---- malformed trees ----------------------------------------------------------

// Builds a one-type model whose relation `r` has the given rewrite.
ModelAst model_with_rewrite(std::unique_ptr<RewriteAst> rewrite) {
  ModelAst model = parse_dsl(with_header("type user\n  relations\n    define a: [user]\n"));
  RelationAst relation;
  relation.name = "r";
  relation.pos = SourcePos{9, 9};
  relation.rewrite = std::move(rewrite);
  model.types[0].relations.push_back(std::move(relation));
  return model;
}

// Builds a computed reference to a.
std::unique_ptr<RewriteAst> computed_a() {
  auto node = std::make_unique<RewriteAst>();
  node->kind = RewriteKind::Computed;
  node->relation = "a";
  return node;
}

TEST(ModelValidator, RejectsMalformedTreesWithModelErrors) {
  EXPECT_TRUE(
      contains(validation_error(model_with_rewrite(nullptr)).reason(), "has no definition"));

  auto one_child = std::make_unique<RewriteAst>();
  one_child->kind = RewriteKind::Union;
  one_child->children.push_back(computed_a());
  EXPECT_TRUE(contains(validation_error(model_with_rewrite(std::move(one_child))).reason(),
                       "wrong number of operands for 'or'"));

  auto three = std::make_unique<RewriteAst>();
  three->kind = RewriteKind::Exclusion;
  for (int i = 0; i < 3; ++i) three->children.push_back(computed_a());
  EXPECT_TRUE(contains(validation_error(model_with_rewrite(std::move(three))).reason(),
                       "wrong number of operands for 'but not'"));

  auto null_child = std::make_unique<RewriteAst>();
  null_child->kind = RewriteKind::Intersection;
  null_child->children.push_back(computed_a());
  null_child->children.push_back(nullptr);
  EXPECT_TRUE(contains(validation_error(model_with_rewrite(std::move(null_child))).reason(),
                       "missing operand"));

  auto empty_direct = std::make_unique<RewriteAst>();
  empty_direct->kind = RewriteKind::Direct;
  EXPECT_TRUE(contains(validation_error(model_with_rewrite(std::move(empty_direct))).reason(),
                       "empty type restriction list"));

  auto both = std::make_unique<RewriteAst>();
  both->kind = RewriteKind::Direct;
  both->direct_types.push_back(DirectTypeAst{"user", "a", true, "", SourcePos{9, 12}, {}});
  const ModelError both_error = validation_error(model_with_rewrite(std::move(both)));
  EXPECT_EQ(both_error.column(), 12);
  EXPECT_TRUE(contains(both_error.reason(), "cannot be both a wildcard and a userset"));

  auto unknown = std::make_unique<RewriteAst>();
  unknown->kind = static_cast<RewriteKind>(97);
  EXPECT_TRUE(contains(validation_error(model_with_rewrite(std::move(unknown))).reason(),
                       "unknown rewrite kind"));

  auto unnamed = std::make_unique<RewriteAst>();
  unnamed->kind = RewriteKind::TupleToUserset;
  unnamed->relation = "a";
  EXPECT_TRUE(contains(validation_error(model_with_rewrite(std::move(unnamed))).reason(),
                       "without both relation names"));
}

TEST(ModelValidator, BoundsTheDepthOfTreesBuiltByOtherCode) {
  std::unique_ptr<RewriteAst> node = computed_a();
  for (int i = 0; i < 100000; ++i) {
    auto parent = std::make_unique<RewriteAst>();
    parent->kind = RewriteKind::Union;
    parent->children.push_back(std::move(node));
    parent->children.push_back(computed_a());
    node = std::move(parent);
  }
  ModelAst model = model_with_rewrite(std::move(node));
  EXPECT_TRUE(contains(validation_error(model).reason(), "nested more than 128 levels"));
  // Tearing the tree down is the AST's business; release it iteratively so
  // the test itself does not overflow the stack.
  std::unique_ptr<RewriteAst> rest = std::move(model.types[0].relations.back().rewrite);
  while (rest) {
    std::unique_ptr<RewriteAst> next =
        rest->children.empty() ? nullptr : std::move(rest->children[0]);
    rest = std::move(next);
  }
}

// ---- scale ------------------------------------------------------------------

TEST(ModelValidator, HandlesLongChainsWithoutRecursion) {
  constexpr int kChain = 30000;
  std::string body = "type user\ntype doc\n  relations\n";
  for (int i = 0; i < kChain; ++i) {
    body += "    define r" + std::to_string(i) + ": r" + std::to_string(i + 1) + "\n";
  }
  body += "    define r" + std::to_string(kChain) + ": [user]\n";
  const auto start = std::chrono::steady_clock::now();
  expect_valid(body);
  // Closing the chain into a loop makes every relation impossible.
  std::string looped = body.substr(0, body.rfind("    define r"));
  looped += "    define r" + std::to_string(kChain) + ": r0\n";
  expect_invalid(looped, 6, 12, "(potential loop)");
  // A loop with a way in is a cycle.
  std::string cycled = body.substr(0, body.rfind("    define r"));
  cycled += "    define r" + std::to_string(kChain) + ": [user] or r0\n";
  expect_invalid(cycled, 6, 16, "refer to each other in a cycle (r0 -> r1 -> ");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST(ModelValidator, StaysLinearOnDenseModels) {
  // Every relation is an and/or of many others: a search that re-explores
  // shared relations per path would take exponential time here.
  constexpr int kLayers = 400;
  std::string body = "type user\ntype doc\n  relations\n    define base: [user]\n";
  std::string previous_a = "base";
  std::string previous_b = "base";
  for (int i = 0; i < kLayers; ++i) {
    const std::string a = "a" + std::to_string(i);
    const std::string b = "b" + std::to_string(i);
    const std::string op = i % 2 == 0 ? " and " : " or ";
    if (previous_a == previous_b) {
      body += "    define " + a + ": " + previous_a + "\n";
      body += "    define " + b + ": [user] or " + previous_a + "\n";
    } else {
      body += "    define " + a + ": " + previous_a + op + previous_b + "\n";
      body += "    define " + b + ": " + previous_b + op + previous_a + "\n";
    }
    previous_a = a;
    previous_b = b;
  }
  const auto start = std::chrono::steady_clock::now();
  expect_valid(body);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ModelValidator, StaysLinearWithManyFromsOverLargeTuplesets) {
  // One tupleset lists thousands of types; thousands of relations use it
  // with a relation only the last type defines (each a different one, and
  // the same one many times). Rescanning the list per use would be
  // quadratic.
  constexpr int kTypes = 9000;
  std::string body = "type user\n";
  for (int i = 0; i < kTypes; ++i) {
    body += "type t" + std::to_string(i) + "\n";
  }
  body += "type last\n  relations\n";
  for (int i = 0; i < kTypes; ++i) {
    body += "    define x" + std::to_string(i) + ": [user]\n";
  }
  body += "type doc\n  relations\n    define p: [";
  for (int i = 0; i < kTypes; ++i) {
    body += "t" + std::to_string(i) + ", ";
  }
  body += "last]\n";
  for (int i = 0; i < kTypes; ++i) {
    body += "    define d" + std::to_string(i) + ": x" + std::to_string(i) + " from p\n";
  }
  for (int i = 0; i < kTypes; ++i) {
    body += "    define s" + std::to_string(i) + ": x0 from p\n";
  }
  ASSERT_LT(body.size(), kMaxDslBytes);
  const auto start = std::chrono::steady_clock::now();
  expect_valid(body);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(ModelValidator, ListsOnlyAFewTypesOfALargeTuplesetInMessages) {
  std::string body = "type user\n";
  std::string list;
  for (int i = 0; i < 50; ++i) {
    body += "type t" + std::to_string(i) + "\n";
    list += (i == 0 ? "t" : ", t") + std::to_string(i);
  }
  body += "type doc\n  relations\n    define p: [" + list + "]\n    define v: nope from p\n";
  expect_invalid(body, 57, 15, "('t0', 't1', 't2', 't3', 't4', ...)");
}

}  // namespace
}  // namespace agentauthz::core
