// Unit tests for validate_tuple: which tuples a model lets every write path
// store, and the error kind and message for each reason it refuses one.
#include "core/tuple_validation.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

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

}  // namespace
}  // namespace agentauthz::core
