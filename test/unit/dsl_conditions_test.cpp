// Unit tests for conditions in the DSL: every form of `condition` blocks and
// `with` that OpenFGA accepts, every syntax and validation error with the
// line and column it points at, and the compiled model they produce.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "core/dsl_condition_body.h"
#include "core/dsl_parser.h"
#include "core/error.h"
#include "core/model.h"
#include "core/model_parse.h"

namespace agentauthz::core {
namespace {

// Prepends the header every model needs.
std::string with_header(const std::string& body) { return "model\n  schema 1.1\n" + body; }

// The types most tests share: lines 3 to 6 of the model, conditions from
// line 7 on. `viewer` uses condition c.
const std::string kTypes =
    "type user\n"
    "type doc\n"
    "  relations\n"
    "    define viewer: [user with c]\n";

// Tells whether haystack contains needle.
bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// Parses and validates text, which must be rejected, and returns the error.
ModelError model_error(std::string_view text) {
  try {
    parse_and_validate_model(text);
  } catch (const ModelError& error) {
    return error;
  }
  ADD_FAILURE() << "expected a ModelError for:\n" << text;
  return ModelError(0, 0, "no error");
}

// Checks that text (a whole model) is rejected at (line, column) with a
// reason containing needle.
void expect_error(const std::string& text, int line, int column, std::string_view needle) {
  const ModelError error = model_error(text);
  EXPECT_EQ(error.line(), line) << error.what() << "\nfor:\n" << text;
  EXPECT_EQ(error.column(), column) << error.what() << "\nfor:\n" << text;
  EXPECT_TRUE(contains(error.reason(), needle))
      << "reason '" << error.reason() << "' lacks '" << needle << "'";
  EXPECT_EQ(error.kind(), ErrorKind::InvalidModel);
}

// Checks that text parses but fails validation, as expect_error.
void expect_invalid(const std::string& text, int line, int column, std::string_view needle) {
  try {
    parse_dsl(text);
  } catch (const ModelError& error) {
    ADD_FAILURE() << "syntax error instead of a semantic one: " << error.what() << "\nfor:\n"
                  << text;
    return;
  }
  expect_error(text, line, column, needle);
}

// Checks that text fails to parse, as expect_error.
void expect_syntax_error(const std::string& text, int line, int column, std::string_view needle) {
  try {
    parse_dsl(text);
  } catch (const ModelError& error) {
    EXPECT_EQ(error.line(), line) << error.what() << "\nfor:\n" << text;
    EXPECT_EQ(error.column(), column) << error.what() << "\nfor:\n" << text;
    EXPECT_TRUE(contains(error.reason(), needle))
        << "reason '" << error.reason() << "' lacks '" << needle << "'";
    return;
  }
  ADD_FAILURE() << "expected a syntax error for:\n" << text;
}

// Checks that text parses, validates and compiles; returns the model.
std::shared_ptr<const Model> expect_model(const std::string& text) {
  try {
    return Model::from_dsl(text);
  } catch (const ModelError& error) {
    ADD_FAILURE() << error.what() << "\nfor:\n" << text;
    return nullptr;
  }
}

// Parses a model of kTypes and the given condition block(s).
ModelAst parse_conditions(const std::string& conditions) {
  return parse_dsl(with_header(kTypes + conditions));
}

// ---- accepted forms: the header ---------------------------------------------

TEST(DslConditions, ParsesAConditionAndWhereEachPartIs) {
  const ModelAst model = parse_conditions("condition c(x: int, name: string) {\n  x < 100\n}\n");
  ASSERT_EQ(model.conditions.size(), 1u);
  const ConditionAst& condition = model.conditions[0];
  EXPECT_EQ(condition.name, "c");
  EXPECT_EQ(condition.pos.line, 7);
  EXPECT_EQ(condition.pos.column, 11);
  ASSERT_EQ(condition.params.size(), 2u);
  EXPECT_EQ(condition.params[0].name, "x");
  EXPECT_EQ(condition.params[0].type, "int");
  EXPECT_EQ(condition.params[0].pos.column, 13);
  EXPECT_EQ(condition.params[0].type_pos.column, 16);
  EXPECT_EQ(condition.params[1].name, "name");
  EXPECT_EQ(condition.params[1].type, "string");
  EXPECT_EQ(condition.params[1].pos.column, 21);
  EXPECT_EQ(condition.params[1].type_pos.column, 27);
  EXPECT_EQ(condition.expression, "x < 100");
  EXPECT_EQ(condition.expression_pos.line, 8);
  EXPECT_EQ(condition.expression_pos.column, 3);
  const DirectTypeAst& restriction = model.types[1].relations[0].rewrite->direct_types[0];
  EXPECT_EQ(restriction.condition, "c");
  EXPECT_EQ(restriction.condition_pos.line, 6);
  EXPECT_EQ(restriction.condition_pos.column, 31);
}

TEST(DslConditions, ParsesEveryParameterType) {
  const ModelAst model = parse_conditions(
      "condition c(a: bool, b: string, c: int, d: uint, e: double, f: duration,\n"
      "  g: timestamp, h: ipaddress, i: any, j: list<string>, k: map<int>, l: list<any>,\n"
      "  m: map<timestamp>) {\n  a\n}\n");
  const std::vector<std::string> types = {
      "bool",      "string", "int",          "uint",     "double",    "duration",      "timestamp",
      "ipaddress", "any",    "list<string>", "map<int>", "list<any>", "map<timestamp>"};
  ASSERT_EQ(model.conditions[0].params.size(), types.size());
  for (std::size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(model.conditions[0].params[i].type, types[i]);
  }
  expect_model(with_header(kTypes +
                           "condition c(a: bool, b: string, c: int, d: uint, e: double, "
                           "f: duration,\n  g: timestamp, h: ipaddress, i: any, j: list<string>, "
                           "k: map<int>, l: list<any>,\n  m: map<timestamp>) {\n  a\n}\n"));
}

TEST(DslConditions, AcceptsBlanksAndLineBreaksWhereOpenFgaDoes) {
  // Blanks around ':' and ',', none needed; a line break (with comments)
  // before each parameter and before ')'.
  const ModelAst model = parse_conditions(
      "condition c (x:int ,y : string,\n"
      "    # the limit\n"
      "    limit: uint   # in cents\n"
      "){x < 1}\n");
  const ConditionAst& condition = model.conditions[0];
  ASSERT_EQ(condition.params.size(), 3u);
  EXPECT_EQ(condition.params[2].name, "limit");
  EXPECT_EQ(condition.params[2].pos.line, 9);
  EXPECT_EQ(condition.expression, "x < 1");
  EXPECT_EQ(condition.expression_pos.line, 10);
  EXPECT_EQ(condition.expression_pos.column, 3);
  EXPECT_EQ(parse_conditions("condition c(\n  x: int\n) {\n x < 1 }").conditions[0].params.size(),
            1u);
}

TEST(DslConditions, AcceptsKeywordsAsConditionAndParameterNames) {
  // Names follow the rule of types and relations; in a parameter list
  // OpenFGA knows no keywords at all.
  expect_model(
      with_header("type user\ntype doc\n  relations\n    define viewer: [user with module]\n"
                  "condition module(type: int, and: int, in: string) {\n  true\n}\n"));
  expect_model(
      with_header("type user\ntype doc\n  relations\n    define viewer: [user with has-dash_1]\n"
                  "condition has-dash_1(x: int) {\n  x > 0\n}\n"));
}

// ---- accepted forms: `with` ---------------------------------------------------

TEST(DslConditions, ParsesWithOnEveryKindOfRestriction) {
  const ModelAst model =
      parse_dsl(with_header("type user\n"
                            "type group\n"
                            "  relations\n"
                            "    define member: [user]\n"
                            "type doc\n"
                            "  relations\n"
                            "    define viewer: [user, user with c1, group#member with c2,\n"
                            "      user:* with c3, group#member]\n"
                            "condition c1(x: int) {\n  x < 1\n}\n"
                            "condition c2(x: int) {\n  x < 2\n}\n"
                            "condition c3(x: int) {\n  x < 3\n}\n"));
  const std::vector<DirectTypeAst>& restrictions =
      model.types[2].relations[0].rewrite->direct_types;
  ASSERT_EQ(restrictions.size(), 5u);
  EXPECT_EQ(restrictions[0].condition, "");
  EXPECT_EQ(restrictions[1].type, "user");
  EXPECT_EQ(restrictions[1].condition, "c1");
  EXPECT_EQ(restrictions[1].condition_pos.column, 37);
  EXPECT_EQ(restrictions[2].relation, "member");
  EXPECT_EQ(restrictions[2].condition, "c2");
  EXPECT_TRUE(restrictions[3].wildcard);
  EXPECT_EQ(restrictions[3].condition, "c3");
  EXPECT_EQ(restrictions[3].condition_pos.line, 10);
  EXPECT_EQ(restrictions[3].condition_pos.column, 19);
  EXPECT_EQ(restrictions[4].condition, "");
  EXPECT_EQ(model.conditions.size(), 3u);
}

TEST(DslConditions, CompilesRestrictionsWithAndWithoutConditions) {
  const auto model = expect_model(
      with_header("type user\n"
                  "type group\n"
                  "  relations\n"
                  "    define member: [user]\n"
                  "type doc\n"
                  "  relations\n"
                  "    define owner: [user]\n"
                  "    define viewer: [user, user with c1, group#member with c2, user:* with c1,\n"
                  "      user with c2] or owner\n"
                  "condition c1(x: int) {\n  x < 1\n}\n"
                  "condition c2(ip: ipaddress, cidr: string) {\n  ip.in_cidr(cidr)\n}\n"));
  ASSERT_NE(model, nullptr);
  EXPECT_TRUE(model->has_conditions());
  ASSERT_EQ(model->condition_count(), 2u);
  const ConditionId c1 = model->find_condition("c1");
  const ConditionId c2 = model->find_condition("c2");
  EXPECT_EQ(model->condition(c2).parameters.size(), 2u);
  EXPECT_EQ(model->condition(c2).program->expression(), "ip.in_cidr(cidr)");
  const TypeId user = model->find_type("user");
  const TypeId group = model->find_type("group");
  const TypeId doc = model->find_type("doc");
  const RelationId member = model->find_relation(group, "member");
  const RelationInfo& viewer = model->relation(model->find_relation(doc, "viewer"));
  EXPECT_TRUE(viewer.conditional);
  ASSERT_EQ(viewer.direct.size(), 3u);  // one entry per subject shape
  EXPECT_TRUE(viewer.direct[0].unconditional);
  EXPECT_EQ(viewer.direct[0].conditions, (std::vector<ConditionId>{c1, c2}));
  EXPECT_FALSE(viewer.direct[1].unconditional);
  EXPECT_EQ(viewer.direct[1].conditions, (std::vector<ConditionId>{c2}));
  EXPECT_TRUE(viewer.direct[2].wildcard);
  EXPECT_TRUE(model->allows_tuple(viewer.id, user, -1, false, -1));
  EXPECT_TRUE(model->allows_tuple(viewer.id, user, -1, false, c2));
  EXPECT_FALSE(model->allows_tuple(viewer.id, group, member, false, -1));
  EXPECT_TRUE(model->allows_tuple(viewer.id, group, member, false, c2));
  EXPECT_FALSE(model->allows_tuple(viewer.id, group, member, false, c1));
  EXPECT_TRUE(model->allows_tuple(viewer.id, user, -1, true, c1));
  EXPECT_FALSE(model->relation(model->find_relation(doc, "owner")).conditional);
}

// ---- accepted forms: the body -------------------------------------------------

TEST(DslConditions, ReadsTheExpressionBetweenTheBraces) {
  auto expression = [](const std::string& block) {
    return parse_conditions(block).conditions.at(0).expression;
  };
  EXPECT_EQ(expression("condition c(x: int) { x < 1 }"), "x < 1");
  EXPECT_EQ(expression("condition c(x: int) {x < 1}\n"), "x < 1");
  EXPECT_EQ(expression("condition c(x: int) {\n  x < 1 &&\n  x > -1\n}"), "x < 1 &&\n  x > -1");
  // Braces of map literals balance; braces in strings and comments do not
  // count.
  EXPECT_EQ(expression("condition c(x: int) {\n  {'a': {'b': 1}}['a']['b'] == x\n}"),
            "{'a': {'b': 1}}['a']['b'] == x");
  EXPECT_EQ(expression("condition c(x: string) { x != \"}\" && x != '{' }"),
            "x != \"}\" && x != '{'");
  EXPECT_EQ(expression("condition c(x: string) { x != '\\'}' }"), "x != '\\'}'");
  EXPECT_EQ(expression("condition c(x: string) { x != r'\\' && x != '}' }"),
            "x != r'\\' && x != '}'");
  EXPECT_EQ(expression("condition c(x: string) { x != \"\"\"a\n}\"\"\" }"),
            "x != \"\"\"a\n}\"\"\"");
  EXPECT_EQ(expression("condition c(x: bytes) { x != b'}' }"), "x != b'}'");
  EXPECT_EQ(expression("condition c(x: string) { x != br'\\' }"), "x != br'\\'");
}

TEST(DslConditions, RemovesCommentsFromTheExpression) {
  const ModelAst model = parse_conditions(
      "condition c(x: string) { # why\n"
      "  # a whole line\n"
      "  x != 'a #1' &&   // cel's }\n"
      "  x != \"b // c\"  # dsl's }\n"
      "}\n");
  EXPECT_EQ(model.conditions[0].expression, "x != 'a #1' &&\n  x != \"b // c\"");
  EXPECT_EQ(model.conditions[0].expression_pos.line, 9);
  EXPECT_EQ(model.conditions[0].expression_pos.column, 3);
  // A '#' glued to a token is not a comment: CEL then refuses it.
  EXPECT_EQ(parse_conditions("condition c(x: int) { x <1#2 }").conditions[0].expression, "x <1#2");
}

TEST(DslConditions, KeepsLinesWithAnyLineEnding) {
  const std::string crlf =
      "model\r\n  schema 1.1\r\ntype user\r\ntype doc\r\n  relations\r\n"
      "    define viewer: [user with c]\r\ncondition c(x: int) {\r\n  x < 1 &&\r\n  y\r\n}\r\n";
  EXPECT_EQ(parse_dsl(crlf).conditions[0].expression, "x < 1 &&\r\n  y");
  expect_invalid(crlf, 9, 3, "undeclared reference to 'y'");
  // A lone CR ends a line for the DSL, so it does for CEL too.
  const std::string cr = with_header(kTypes + "condition c(x: int) {\r  x < 1 &&\r  y\r}\n");
  EXPECT_EQ(parse_dsl(cr).conditions[0].expression, "x < 1 &&\n  y");
  expect_invalid(cr, 9, 3, "undeclared reference to 'y'");
}

TEST(DslConditions, ParsesSeveralConditionsWithCommentsBetween) {
  const ModelAst model =
      parse_dsl(with_header("type user\n"
                            "type doc\n"
                            "  relations\n"
                            "    define viewer: [user with a, user with b]\n"
                            "\n"
                            "# the first one\n"
                            "condition a(x: int) {\n  x < 1\n}  # trailing comment\n"
                            "\n\n"
                            "  condition b(y: int) {\n  y < 2\n  }\n"
                            "# the end"));
  ASSERT_EQ(model.conditions.size(), 2u);
  EXPECT_EQ(model.conditions[1].name, "b");
  EXPECT_EQ(model.conditions[1].pos.line, 14);
  EXPECT_EQ(model.conditions[1].pos.column, 13);
}

// ---- syntax errors ------------------------------------------------------------

TEST(DslConditions, RejectsMalformedHeaders) {
  const std::string head = with_header(kTypes);  // the condition is on line 7
  expect_syntax_error(head + "condition (x: int) {x}", 7, 11, "expected a condition name");
  expect_syntax_error(head + "condition and(x: int) {x}", 7, 11, "expected a condition name");
  expect_syntax_error(head + "condition c x: int) {x}", 7, 13, "expected '('");
  expect_syntax_error(head + "condition c\n(x: int) {x}", 7, 12, "expected '('");
  expect_syntax_error(head + "condition c() {true}", 7, 13, "needs at least one parameter");
  expect_syntax_error(head + "condition c(x int) {x}", 7, 15, "expected ':'");
  expect_syntax_error(head + "condition c(x:) {x}", 7, 15, "expected a parameter type");
  expect_syntax_error(head + "condition c(x: int,) {x}", 7, 20, "expected a parameter name");
  expect_syntax_error(head + "condition c(x: int y: int) {x}", 7, 20, "expected ',' or ')'");
  expect_syntax_error(head + "condition c(x: int\n, y: int) {x}", 8, 1, "expected ')'");
  expect_syntax_error(head + "condition c(x: int;) {x}", 7, 19, "unexpected character ';'");
  expect_syntax_error(head + "condition c(x: int)\n{x}", 7, 20, "on the same line");
  expect_syntax_error(head + "condition c(x: int) x", 7, 21, "expected '{'");
}

TEST(DslConditions, RejectsMalformedParameterTypes) {
  const std::string head = with_header(kTypes) + "condition c(x: ";
  expect_syntax_error(head + "list <int>) {x}", 7, 21, "without blanks");
  expect_syntax_error(head + "list< int>) {x}", 7, 22, "without blanks");
  expect_syntax_error(head + "list<int >) {x}", 7, 25, "expected '>'");
  expect_syntax_error(head + "list<int) {x}", 7, 24, "expected '>' right after 'list<int'");
  expect_syntax_error(head + "list<>) {x}", 7, 21, "expected a type after 'list<'");
  expect_syntax_error(head + "int>) {x}", 7, 19, "expected ',' or ')'");
}

TEST(DslConditions, RejectsBodiesThatNeverEnd) {
  const std::string head = with_header(kTypes);
  expect_syntax_error(head + "condition c(x: int) {\n  x < 1\n", 7, 21, "no matching '}'");
  expect_syntax_error(head + "condition c(x: int) { {'a': 1}['a'] == x", 7, 21, "no matching '}'");
  expect_syntax_error(head + "condition c(x: int) { x // }\n", 7, 21, "no matching '}'");
  expect_syntax_error(head + "condition c(x: string) {\n  x == '''a}\n}\n", 8, 8,
                      "triple-quoted string is never closed");
}

TEST(DslConditions, RejectsTextAfterTheClosingBrace) {
  expect_syntax_error(with_header(kTypes + "condition c(x: int) {\n  x < 1\n} x\n"), 9, 3,
                      "expected end of line");
}

TEST(DslConditions, AcceptsConditionsOnlyAfterAllTypes) {
  const std::string condition = "condition c(x: int) {\n  x < 1\n}\n";
  expect_syntax_error(with_header(kTypes + condition + "type folder\n"), 10, 1,
                      "a 'type' cannot follow a condition");
  expect_syntax_error(with_header(kTypes + condition + "  relations\n"), 10, 3,
                      "'relations' must directly follow a 'type' line");
  expect_syntax_error(with_header(kTypes + condition + "    define x: [user]\n"), 10, 5,
                      "'define' must follow a 'relations' line");
  expect_syntax_error(with_header("type user\n  relations\n" + condition), 4, 3,
                      "'relations' must be followed by at least one 'define' line");
}

TEST(DslConditions, RejectsMalformedWith) {
  const std::string head = with_header("type user\ntype doc\n  relations\n    define viewer: ");
  expect_syntax_error(head + "[user with]\n", 6, 30, "expected a condition name after 'with'");
  expect_syntax_error(head + "[user with and]\n", 6, 31, "'and' is a keyword");
  expect_syntax_error(head + "[user with c d]\n", 6, 33, "expected ',' or ']'");
  expect_syntax_error(head + "[user:*with c]\n", 6, 27, "expected whitespace before 'with'");
  expect_syntax_error(head + "[user with\n c]\n", 6, 30, "expected a condition name");
  expect_syntax_error(head + "[user\n with c]\n", 7, 2, "expected ',' or ']'");
  expect_syntax_error(head + "[user] with c\n", 6, 27, "expected end of line");
}

TEST(DslConditions, KeepsConditionTokensOutOfTheRestOfTheModel) {
  expect_syntax_error(with_header("type a<b\n"), 3, 7, "unexpected character '<'");
  expect_syntax_error(with_header("type a {\n"), 3, 8, "unexpected character '{'");
}

// ---- validation errors ----------------------------------------------------------

TEST(DslConditions, RejectsUndefinedConditions) {
  expect_invalid(with_header(kTypes), 6, 31,
                 "condition 'c' is not defined (in 'user with c' of relation 'viewer' of type "
                 "'doc')");
  expect_invalid(with_header(kTypes + "condition d(x: int) {\n  x < 1\n}\n"), 6, 31,
                 "condition 'c' is not defined");
}

TEST(DslConditions, RejectsUnusedConditions) {
  expect_invalid(with_header(kTypes + "condition c(x: int) {\n  x < 1\n}\n"
                                      "condition unused(x: int) {\n  x < 1\n}\n"),
                 10, 11, "condition 'unused' is not used in the model");
}

TEST(DslConditions, RejectsDuplicateConditionsAndParameters) {
  expect_invalid(with_header(kTypes + "condition c(x: int) {\n  x < 1\n}\n"
                                      "condition c(y: int) {\n  y < 1\n}\n"),
                 10, 11, "condition 'c' is defined twice (first at line 7)");
  expect_invalid(with_header(kTypes + "condition c(x: int,\n  x: string) {\n  x < 1\n}\n"), 8, 3,
                 "parameter 'x' is declared twice in condition 'c' (first at line 7)");
}

TEST(DslConditions, RejectsRepeatedRestrictionsWithTheSameCondition) {
  expect_invalid(with_header("type user\ntype doc\n  relations\n"
                             "    define viewer: [user with c, user, user with c]\n"
                             "condition c(x: int) {\n  x < 1\n}\n"),
                 6, 40, "type restriction 'user with c' appears twice");
}

TEST(DslConditions, RejectsUnknownParameterTypes) {
  const std::string head = with_header(kTypes) + "condition c(x: ";
  expect_invalid(head + "integer) {\n  true\n}\n", 7, 16, "unknown parameter type 'integer'");
  expect_invalid(head + "list) {\n  true\n}\n", 7, 16,
                 "needs an element type, e.g. 'list<string>'");
  expect_invalid(head + "map) {\n  true\n}\n", 7, 16, "needs an element type, e.g. 'map<string>'");
  expect_invalid(head + "int<string>) {\n  true\n}\n", 7, 16, "'int' takes no element type");
  expect_invalid(head + "list<list<int>>) {\n  true\n}\n", 7, 16, "nests containers");
  expect_invalid(head + "map<float>) {\n  true\n}\n", 7, 16, "unknown element type 'float'");
  expect_invalid(head + "Int) {\n  true\n}\n", 7, 16, "unknown parameter type 'Int'");
  expect_invalid(with_header(kTypes) + "condition c(y: bool, x: bytes) {\n  true\n}\n", 7, 25,
                 "unknown parameter type 'bytes'");
}

TEST(DslConditions, RejectsNamesOverOpenFgaLimits) {
  const std::string long_name(51, 'c');
  expect_invalid(with_header("type user\ntype doc\n  relations\n    define viewer: [user with " +
                             long_name + "]\ncondition " + long_name + "(x: int) {\n  true\n}\n"),
                 7, 11, "condition name '" + long_name.substr(0, 60));
  expect_model(with_header("type user\ntype doc\n  relations\n    define viewer: [user with " +
                           std::string(50, 'c') + "]\ncondition " + std::string(50, 'c') +
                           "(x: int) {\n  true\n}\n"));
  expect_invalid(
      with_header(kTypes + "condition c(" + std::string(51, 'p') + ": int) {\n  true\n}\n"), 7, 13,
      "parameter name");
}

TEST(DslConditions, RejectsMoreConditionsOrParametersThanOpenFgaAllows) {
  std::string restrictions;
  std::string conditions;
  for (int i = 1; i <= 26; ++i) {
    const std::string name = "c" + std::to_string(i);
    restrictions += (i == 1 ? "" : ", ") + std::string("user with ") + name;
    conditions += "condition " + name + "(x: int) {\n  x < " + std::to_string(i) + "\n}\n";
  }
  // 26 conditions; the 26th starts on line 6 + 25 * 3 + 1.
  expect_invalid(with_header("type user\ntype doc\n  relations\n    define viewer: [" +
                             restrictions + "]\n" + conditions),
                 82, 11, "at most 25 conditions");
  std::string params;
  for (int i = 1; i <= 26; ++i) {
    params += (i == 1 ? "" : ", ") + std::string("p") + std::to_string(i) + ": int";
  }
  // p26 starts at column 13 + 9 * 9 (p1 to p9) + 16 * 10 (p10 to p25).
  expect_invalid(with_header(kTypes + "condition c(" + params + ") {\n  true\n}\n"), 7, 254,
                 "more than 25 parameters");
}

TEST(DslConditions, RejectsEmptyAndOverlongExpressions) {
  expect_invalid(with_header(kTypes + "condition c(x: int) {\n  # nothing\n}\n"), 9, 1,
                 "condition 'c' has an empty expression");
  expect_invalid(with_header(kTypes + "condition c(x: int) {}\n"), 7, 22, "empty expression");
  const std::string at_limit = "x < 1 ||" + std::string(512 - 8 - 5, ' ') + "x > 0";
  ASSERT_EQ(at_limit.size(), 512u);
  expect_model(with_header(kTypes + "condition c(x: int) {\n  " + at_limit + " \n}\n"));
  expect_invalid(with_header(kTypes + "condition c(x: int) {\n  " + at_limit + "0\n}\n"), 8, 3,
                 "is 513 bytes long; OpenFGA allows 512");
}

TEST(DslConditions, ReportsCompileErrorsWhereTheyAreInTheModel) {
  const std::string head = with_header(kTypes);
  // On the line of the '{'.
  expect_invalid(head + "condition c(x: int) { x < y }", 7, 27,
                 "the expression of condition 'c' does not compile: undeclared reference to 'y' "
                 "(in container '')");
  // On a later line, after a comment line.
  expect_invalid(head + "condition c(x: int) {\n  # note\n  x < 1 &&\n    y > 2\n}", 10, 5,
                 "undeclared reference to 'y'");
  // A syntax error, and one at the end of the expression.
  expect_invalid(head + "condition c(x: int) {\n  x < < 1\n}", 8, 7, "Syntax error");
  expect_invalid(head + "condition c(x: int) {\n  x <\n}", 8, 6, "Syntax error");
  // Wrong operand types, with the column in characters after a non-ASCII
  // string.
  expect_invalid(head + "condition c(x: int) {\n  'é' == 'é' && x == 'a'\n}", 8, 19,
                 "found no matching overload for '_==_' applied to '(int, string)'");
  // A '#' glued to a token is no comment, and CEL has no '#'.
  expect_invalid(head + "condition c(x: int) { x <1#2 }", 7, 27, "Syntax error");
}

TEST(DslConditions, RequiresABooleanExpression) {
  expect_invalid(with_header(kTypes + "condition c(x: int) {\n  x + 1\n}\n"), 8, 3,
                 "expected a bool condition expression output, but got 'int'");
  expect_invalid(with_header(kTypes + "condition c(x: string) {\n  x\n}\n"), 8, 3,
                 "but got 'string'");
  expect_model(with_header(kTypes + "condition c(x: any) {\n  x != null\n}\n"));
}

// ---- the models of OpenFGA's condition tests (assets/tests/abac_tests.yaml) ------

TEST(DslConditions, LoadsTheShapesOfOpenFgasConditionTests) {
  const std::vector<std::string> models = {
      // A condition on a direct restriction.
      "type user\ntype doc\n  relations\n    define viewer: [user with under_limit]\n\n"
      "condition under_limit(amount: int) {\n  amount < 100\n}\n",
      // On a userset restriction, a timestamp compared with a literal.
      "type user\ntype group\n  relations\n    define member: [user]\n"
      "type doc\n  relations\n    define viewer: [group#member with before_deadline]\n"
      "condition before_deadline(now: timestamp) {\n"
      "  now < timestamp(\"2023-10-11T10:00:00.000Z\")\n}\n",
      // On the restriction a userset leads to.
      "type user\ntype group\n  relations\n    define member: [user with before_deadline]\n"
      "type doc\n  relations\n    define viewer: [group#member]\n"
      "condition before_deadline(now: timestamp) {\n"
      "  now < timestamp(\"2023-10-11T10:00:00.000Z\")\n}\n",
      // Nested usersets and an address range from two parameters.
      "type user\ntype group\n  relations\n"
      "    define member: [user, group#member with from_network]\n"
      "type doc\n  relations\n    define viewer: [group#member]\n"
      "condition from_network(client: ipaddress, network: string) {\n"
      "  client.in_cidr(network)\n}\n",
      // Through a computed relation.
      "type user\ntype doc\n  relations\n    define editor: [user with under_limit]\n"
      "    define viewer: editor\n"
      "condition under_limit(amount: int) {\n  amount < 100\n}\n",
      // On the parent of a tuple to userset, with and without a condition.
      "type user\ntype folder\n  relations\n    define viewer: [user]\n"
      "type doc\n  relations\n    define parent: [folder with under_limit, folder]\n"
      "    define viewer: [user] or viewer from parent\n"
      "condition under_limit(amount: int) {\n  amount < 100\n}\n",
      // Two conditions under an intersection.
      "type user\ntype doc\n  relations\n    define allowed: [user with small]\n"
      "    define viewer: [user with smaller] and allowed\n"
      "condition small(a: int) {\n  a < 100\n}\n\ncondition smaller(b: int) {\n  b < 50\n}\n",
      // Several conditions on one subject type, and a string comparison.
      "type user\ntype folder\n  relations\n"
      "    define viewer: [user with is_ten, user with says_hello, user]\n"
      "type doc\n  relations\n    define parent: [folder]\n"
      "    define viewer: viewer from parent\n"
      "condition is_ten(x: int) {\n  x == 10\n}\n"
      "condition says_hello(s: string) {\n  s == \"hello\"\n}\n",
      // Two parameters joined by ||, and a double.
      "type user\ntype doc\n  relations\n    define viewer: [user with either]\n"
      "    define reader: [user with positive]\n"
      "condition either(x: int, y: int) {\n  x < 100 || y < 50\n}\n"
      "condition positive(x: double) {\n  x > 0.0\n}\n",
      // A wildcard with and without a condition, through usersets and a parent.
      "type user\ntype group1\n  relations\n"
      "    define member: [user with before_deadline, user:* with before_deadline]\n"
      "type group2\n  relations\n    define member: [user, user:*]\n"
      "type folder\n  relations\n    define viewer: [user, group1#member, group2#member]\n"
      "type doc\n  relations\n    define parent: [folder]\n"
      "    define viewer: viewer from parent\n"
      "condition before_deadline(now: timestamp) {\n"
      "  now < timestamp(\"2023-10-11T10:00:00.000Z\")\n}\n",
  };
  for (const std::string& body : models) {
    const auto model = expect_model(with_header(body));
    ASSERT_NE(model, nullptr);
    EXPECT_TRUE(model->has_conditions());
  }
}

// ---- the body scanner -----------------------------------------------------------

TEST(DslConditionBody, FindsTheClosingBraceAndTheExpression) {
  const std::string text = "{ a == {'}': 1} }  ";
  const ScannedConditionBody body = scan_condition_body(text, 1);
  EXPECT_EQ(body.close, 16u);
  EXPECT_EQ(body.start, 2u);
  EXPECT_EQ(body.expression, "a == {'}': 1}");
  const ScannedConditionBody empty = scan_condition_body("{  }", 1);
  EXPECT_EQ(empty.close, 3u);
  EXPECT_EQ(empty.start, 3u);
  EXPECT_EQ(empty.expression, "");
  EXPECT_EQ(scan_condition_body("{ a", 1).close, ScannedConditionBody::kNone);
  EXPECT_EQ(scan_condition_body("{ '''a}", 1).unclosed_string, 2u);
  // A one-line string stops at the end of its line, for CEL to refuse.
  EXPECT_EQ(scan_condition_body("{ 'a}\n}", 1).close, 6u);
}

}  // namespace
}  // namespace agentauthz::core
