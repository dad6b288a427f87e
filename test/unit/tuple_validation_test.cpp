// Unit tests for validate_tuple: which tuples a model lets every write path
// store, with or without a condition, and the error kind and message for
// each reason it refuses one.
#include "core/tuple_validation.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/dsl_parser.h"
#include "core/error.h"
#include "core/model.h"

namespace agentauthz::core {
namespace {

// Returns the model the validation cases are written against.
const Model& model() {
  static const std::shared_ptr<const Model> compiled = Model::from_dsl(R"(model
  schema 1.1
type user
type employee
type group
  relations
    define member: [user, employee, group#member]
    define admin: [user]
type folder
  relations
    define viewer: [user, user:*, group#member]
type document
  relations
    define parent: [folder]
    define owner: [user]
    define public: [user:*, employee:*]
    define editor: [group#admin]
    define viewer: [user] or owner or viewer from parent
    define can_read: viewer
)");
  return *compiled;
}

// Returns the kind of error validate_tuple raises; fails the test (and
// returns Internal) when it accepts the tuple.
ErrorKind refusal(const std::string& object, const std::string& relation,
                  const std::string& subject) {
  try {
    validate_tuple(model(), object, relation, subject);
  } catch (const Error& error) {
    return error.kind();
  }
  ADD_FAILURE() << "accepted " << object << "#" << relation << "@" << subject;
  return ErrorKind::Internal;
}

// Returns the message and detail of the error validate_tuple raises.
std::string refusal_text(const std::string& object, const std::string& relation,
                         const std::string& subject) {
  try {
    validate_tuple(model(), object, relation, subject);
  } catch (const Error& error) {
    return std::string(error.what()) + " | " + error.detail();
  }
  ADD_FAILURE() << "accepted " << object << "#" << relation << "@" << subject;
  return {};
}

// ---- accepted tuples -------------------------------------------------------------
// Every shape a type restriction can name is accepted, with the parts and
// ids resolved.

TEST(ValidateTuple, AcceptsEachShapeTheRestrictionNames) {
  EXPECT_NO_THROW(validate_tuple(model(), "group:eng", "member", "user:anne"));
  EXPECT_NO_THROW(validate_tuple(model(), "group:eng", "member", "employee:bob"));
  EXPECT_NO_THROW(validate_tuple(model(), "group:eng", "member", "group:ops#member"));
  EXPECT_NO_THROW(validate_tuple(model(), "group:eng", "member", "group:eng#member"));
  EXPECT_NO_THROW(validate_tuple(model(), "folder:x", "viewer", "user:*"));
  EXPECT_NO_THROW(validate_tuple(model(), "document:1", "public", "employee:*"));
  EXPECT_NO_THROW(validate_tuple(model(), "document:1", "editor", "group:eng#admin"));
  EXPECT_NO_THROW(validate_tuple(model(), "document:1", "parent", "folder:x"));
  EXPECT_NO_THROW(validate_tuple(model(), "document:1", "viewer", "user:anne"));
}

TEST(ValidateTuple, ResolvesThePartsOfAnAcceptedTuple) {
  ValidatedTuple t = validate_tuple(model(), "document:1", "editor", "group:eng#admin");
  EXPECT_EQ(t.object.type, "document");
  EXPECT_EQ(t.object.id, "1");
  EXPECT_EQ(t.subject.type, "group");
  EXPECT_EQ(t.subject.id, "eng");
  EXPECT_EQ(t.subject.relation, "admin");
  EXPECT_EQ(t.object_type, model().find_type("document"));
  EXPECT_EQ(t.relation, model().find_relation(t.object_type, "editor"));
}

// ---- refused by the type restrictions --------------------------------------------
// A subject type, wildcard or userset relation the restriction does not
// name, or a relation without direct types, is NotAllowed.

TEST(ValidateTuple, RefusesSubjectShapesTheRestrictionDoesNotName) {
  EXPECT_EQ(refusal("document:1", "owner", "employee:bob"), ErrorKind::NotAllowed);
  EXPECT_EQ(refusal("document:1", "owner", "user:*"), ErrorKind::NotAllowed);
  EXPECT_EQ(refusal("document:1", "public", "user:anne"), ErrorKind::NotAllowed);
  EXPECT_EQ(refusal("document:1", "editor", "group:eng#member"), ErrorKind::NotAllowed);
  EXPECT_EQ(refusal("document:1", "editor", "group:eng"), ErrorKind::NotAllowed);
  EXPECT_EQ(refusal("group:eng", "member", "user:*"), ErrorKind::NotAllowed);
  EXPECT_EQ(refusal("document:1", "parent", "document:2"), ErrorKind::NotAllowed);
  EXPECT_EQ(refusal("document:1", "parent", "folder:x#viewer"), ErrorKind::NotAllowed);
}

TEST(ValidateTuple, RefusesRelationsWithoutDirectTypes) {
  EXPECT_EQ(refusal("document:1", "can_read", "user:anne"), ErrorKind::NotAllowed);
  EXPECT_NE(refusal_text("document:1", "can_read", "user:anne").find("cannot be assigned directly"),
            std::string::npos);
}

TEST(ValidateTuple, RefusalListsWhatTheRelationAllows) {
  std::string text = refusal_text("folder:x", "viewer", "employee:bob");
  EXPECT_NE(text.find("[user, user:*, group#member]"), std::string::npos) << text;
  EXPECT_NE(text.find("folder:x#viewer@employee:bob"), std::string::npos) << text;
}

// ---- refused names ---------------------------------------------------------------------
// Types and relations the model does not define are UndefinedName;
// malformed strings are InvalidArgument, checked before the model.

TEST(ValidateTuple, RefusesUndefinedTypesAndRelations) {
  EXPECT_EQ(refusal("robot:1", "viewer", "user:anne"), ErrorKind::UndefinedName);
  EXPECT_EQ(refusal("document:1", "approver", "user:anne"), ErrorKind::UndefinedName);
  EXPECT_EQ(refusal("document:1", "owner", "robot:r2"), ErrorKind::UndefinedName);
  EXPECT_EQ(refusal("group:eng", "member", "group:ops#lead"), ErrorKind::UndefinedName);
  EXPECT_EQ(refusal("group:eng", "member", "robot:*"), ErrorKind::UndefinedName);
}

TEST(ValidateTuple, RefusesMalformedPartsAsInvalidArgument) {
  EXPECT_EQ(refusal("document", "owner", "user:anne"), ErrorKind::InvalidArgument);
  EXPECT_EQ(refusal("document:*", "owner", "user:anne"), ErrorKind::InvalidArgument);
  EXPECT_EQ(refusal("document:1", "own er", "user:anne"), ErrorKind::InvalidArgument);
  EXPECT_EQ(refusal("document:1", "", "user:anne"), ErrorKind::InvalidArgument);
  EXPECT_EQ(refusal("document:1", "owner", "user:an ne"), ErrorKind::InvalidArgument);
  EXPECT_EQ(refusal("document:1", "owner", "user:*#member"), ErrorKind::InvalidArgument);
  EXPECT_EQ(refusal("document:1", "owner", std::string(600, 'u')), ErrorKind::InvalidArgument);
  // Malformed beats undefined: the strings are checked before the model.
  EXPECT_EQ(refusal("robot:", "owner", "user:anne"), ErrorKind::InvalidArgument);
}

// ---- conditions -------------------------------------------------------------------------
// The DSL parser does not read conditions yet: the model is parsed without
// them and its conditions and `with` clauses are added to the AST by hand.

// Returns the direct type entry `index` of type.relation in a parsed model.
DirectTypeAst& entry(ModelAst& ast, const std::string& type, const std::string& relation,
                     size_t index) {
  for (TypeAst& t : ast.types)
    for (RelationAst& r : t.relations)
      if (t.name == type && r.name == relation) return r.rewrite->direct_types.at(index);
  throw std::logic_error("no relation " + type + "#" + relation);
}

// Returns a condition declared with parameters {name, type}.
ConditionAst condition(const std::string& name,
                       std::vector<std::pair<std::string, std::string>> params,
                       const std::string& expression) {
  ConditionAst c;
  c.name = name;
  for (auto& p : params) c.params.push_back(ConditionParamAst{p.first, p.second, {1, 1}, {1, 1}});
  c.expression = expression;
  c.pos = c.expression_pos = {1, 1};
  return c;
}

// Returns the model the condition cases are written against, as the DSL
// would write it:
//   document viewer:    [user, user with in_region, group#member with in_region]
//   document editor:    [user with in_region, user with before]
//   document commenter: [user:* with in_region]
//   document owner:     [user]
// and a condition `unused` no restriction names.
const Model& conditional_model() {
  static const std::shared_ptr<const Model> compiled = [] {
    ModelAst ast = parse_dsl(R"(model
  schema 1.1
type user
type group
  relations
    define member: [user]
type document
  relations
    define viewer: [user, user, group#member]
    define editor: [user, user]
    define commenter: [user:*]
    define owner: [user]
)");
    ast.conditions.push_back(condition(
        "in_region", {{"region", "string"}, {"allowed", "list<string>"}}, "region in allowed"));
    ast.conditions.push_back(
        condition("before", {{"deadline", "timestamp"}, {"now", "timestamp"}}, "now < deadline"));
    ast.conditions.push_back(condition("unused", {{"x", "int"}}, "x > 0"));
    entry(ast, "document", "viewer", 1).condition = "in_region";
    entry(ast, "document", "viewer", 2).condition = "in_region";
    entry(ast, "document", "editor", 0).condition = "in_region";
    entry(ast, "document", "editor", 1).condition = "before";
    entry(ast, "document", "commenter", 0).condition = "in_region";
    return Model::compile(ast);
  }();
  return *compiled;
}

// A condition input: a name (nullptr: none) and a context (nullptr: none).
ConditionInput with(const char* name, const char* context = nullptr) {
  ConditionInput input;
  if (name) input.name = name;
  if (context) input.context = context;
  return input;
}

// Returns the error validate_tuple raises for a tuple with a condition;
// fails the test (and returns an Internal error) when it accepts it.
Error conditional_refusal(const std::string& object, const std::string& relation,
                          const std::string& subject, const ConditionInput& input) {
  try {
    validate_tuple(conditional_model(), object, relation, subject, input);
  } catch (const Error& error) {
    return error;
  }
  ADD_FAILURE() << "accepted " << object << "#" << relation << "@" << subject;
  return Error(ErrorKind::Internal, "accepted");
}

// Tells whether the error's message or detail contains needle.
bool mentions(const Error& error, const std::string& needle) {
  return (std::string(error.what()) + " | " + error.detail()).find(needle) != std::string::npos;
}

TEST(ValidateTupleCondition, AcceptsWhatTheRestrictionAllows) {
  const Model& m = conditional_model();
  EXPECT_EQ(validate_tuple(m, "document:1", "viewer", "user:anne").condition, -1);
  ValidatedTuple t = validate_tuple(m, "document:1", "viewer", "user:anne",
                                    with("in_region", R"({"allowed": ["eu", "us"]})"));
  EXPECT_EQ(t.condition, m.find_condition("in_region"));
  EXPECT_NO_THROW(validate_tuple(m, "document:1", "viewer", "group:eng#member",
                                 with("in_region", R"({"region": "eu"})")));
  EXPECT_NO_THROW(validate_tuple(m, "document:1", "editor", "user:anne",
                                 with("before", R"({"deadline": "2030-01-01T00:00:00Z"})")));
  EXPECT_NO_THROW(validate_tuple(m, "document:1", "commenter", "user:*", with("in_region")));
  EXPECT_NO_THROW(validate_tuple(m, "document:1", "owner", "user:anne", with(nullptr)));
}

TEST(ValidateTupleCondition, AcceptsAMissingOrEmptyContext) {
  const Model& m = conditional_model();
  EXPECT_NO_THROW(validate_tuple(m, "document:1", "editor", "user:anne", with("in_region")));
  EXPECT_NO_THROW(validate_tuple(m, "document:1", "editor", "user:anne", with("in_region", "{}")));
  EXPECT_NO_THROW(
      validate_tuple(m, "document:1", "editor", "user:anne", with("in_region", " { } ")));
}

TEST(ValidateTupleCondition, RefusesAMissingConditionWhereOnlyWithIsAllowed) {
  Error e = conditional_refusal("document:1", "editor", "user:anne", with(nullptr));
  EXPECT_EQ(e.kind(), ErrorKind::NotAllowed);
  EXPECT_TRUE(mentions(e,
                       "allows [user with in_region, user with before], not user without a "
                       "condition"))
      << e.what() << " | " << e.detail();
  EXPECT_EQ(conditional_refusal("document:1", "commenter", "user:*", with(nullptr)).kind(),
            ErrorKind::NotAllowed);
  EXPECT_EQ(conditional_refusal("document:1", "viewer", "group:eng#member", with(nullptr)).kind(),
            ErrorKind::NotAllowed);
}

TEST(ValidateTupleCondition, RefusesAnUndefinedCondition) {
  Error e = conditional_refusal("document:1", "viewer", "user:anne", with("in_regoin"));
  EXPECT_EQ(e.kind(), ErrorKind::UndefinedName);
  EXPECT_TRUE(mentions(e, "condition \"in_regoin\" is not defined in the active model"))
      << e.what();
}

TEST(ValidateTupleCondition, RefusesAConditionTheRestrictionDoesNotName) {
  Error e = conditional_refusal("document:1", "owner", "user:anne", with("in_region"));
  EXPECT_EQ(e.kind(), ErrorKind::NotAllowed);
  EXPECT_TRUE(mentions(e, "allows [user], not user with in_region")) << e.detail();
  e = conditional_refusal("document:1", "viewer", "group:eng#member", with("before"));
  EXPECT_EQ(e.kind(), ErrorKind::NotAllowed);
  EXPECT_TRUE(mentions(e, "group#member with in_region], not group#member with before"))
      << e.detail();
  EXPECT_EQ(conditional_refusal("document:1", "viewer", "user:anne", with("unused")).kind(),
            ErrorKind::NotAllowed);
  // The shape itself must be allowed first, whatever the condition.
  EXPECT_EQ(conditional_refusal("document:1", "viewer", "user:*", with("in_region")).kind(),
            ErrorKind::NotAllowed);
}

TEST(ValidateTupleCondition, RefusesContextKeysThatAreNotParameters) {
  Error e = conditional_refusal("document:1", "viewer", "user:anne",
                                with("in_region", R"({"region": "eu", "regoin": "us"})"));
  EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  EXPECT_TRUE(mentions(e,
                       "invalid context for condition \"in_region\": \"regoin\" is not a "
                       "parameter of the condition"))
      << e.what();
}

TEST(ValidateTupleCondition, RefusesValuesOfTheWrongType) {
  Error e = conditional_refusal("document:1", "viewer", "user:anne",
                                with("in_region", R"({"region": 5})"));
  EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  EXPECT_TRUE(mentions(e, "failed to convert context parameter 'region'")) << e.what();
  EXPECT_EQ(conditional_refusal("document:1", "viewer", "user:anne",
                                with("in_region", R"({"allowed": "eu"})"))
                .kind(),
            ErrorKind::InvalidArgument);
  EXPECT_EQ(conditional_refusal("document:1", "editor", "user:anne",
                                with("before", R"({"deadline": "tomorrow"})"))
                .kind(),
            ErrorKind::InvalidArgument);
}

TEST(ValidateTupleCondition, RefusesAContextWithoutAName) {
  Error e = conditional_refusal("document:1", "viewer", "user:anne", with(nullptr, "{}"));
  EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  EXPECT_TRUE(mentions(e, "a condition context needs a condition name")) << e.what();
}

TEST(ValidateTupleCondition, RefusesAContextThatIsNotAJsonObject) {
  for (const char* context : {"[]", "3", "\"eu\"", "null", "true"}) {
    Error e = conditional_refusal("document:1", "viewer", "user:anne", with("in_region", context));
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << context;
    EXPECT_TRUE(mentions(e, "the condition context must be a JSON object")) << context;
  }
  Error e = conditional_refusal("document:1", "viewer", "user:anne", with("in_region", "{"));
  EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  EXPECT_TRUE(mentions(e, "not valid JSON")) << e.what();
}

TEST(ValidateTupleCondition, BoundsTheNameAndTheContext) {
  EXPECT_EQ(conditional_refusal("document:1", "viewer", "user:anne", with("")).kind(),
            ErrorKind::InvalidArgument);
  std::string long_name(kMaxConditionNameLength + 1, 'c');
  EXPECT_EQ(
      conditional_refusal("document:1", "viewer", "user:anne", with(long_name.c_str())).kind(),
      ErrorKind::InvalidArgument);

  // {"region":"xx...x"} of exactly the limit is accepted, one byte more is not.
  std::string fits = R"({"region":")" + std::string(kMaxConditionContextLength - 13, 'x') + R"("})";
  ASSERT_EQ(fits.size(), kMaxConditionContextLength);
  EXPECT_NO_THROW(validate_tuple(conditional_model(), "document:1", "viewer", "user:anne",
                                 with("in_region", fits.c_str())));
  std::string too_long =
      R"({"region":")" + std::string(kMaxConditionContextLength - 12, 'x') + R"("})";
  Error e =
      conditional_refusal("document:1", "viewer", "user:anne", with("in_region", too_long.c_str()));
  EXPECT_EQ(e.kind(), ErrorKind::LimitExceeded);
  EXPECT_TRUE(mentions(e, "a condition context of 32769 bytes is longer than the limit of 32768"))
      << e.what();
}

TEST(ValidateTupleCondition, MalformedTuplesAreRefusedBeforeTheirCondition) {
  EXPECT_EQ(conditional_refusal("document:1", "viewer", "user:an ne", with("nowhere", "[]")).kind(),
            ErrorKind::InvalidArgument);
  EXPECT_TRUE(
      mentions(conditional_refusal("document:1", "viewer", "user:an ne", with("nowhere", "[]")),
               "invalid subject"));
  // Condition problems that need no model come before the model's.
  EXPECT_TRUE(mentions(conditional_refusal("robot:1", "viewer", "user:anne", with(nullptr, "{}")),
                       "needs a condition name"));
}

}  // namespace
}  // namespace agentauthz::core
