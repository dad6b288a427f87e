// What RLS policies ask of the current actor: may it have a relation on
// one object, and which objects of a type may it have it on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/request.h"
#include "pg/actor/active_actor.h"

namespace agentauthz::pg {

// The actor's decision on (relation, object), names already resolved: the
// subject's rights, or the principal's rights within every delegation
// scope; denied without a valid actor. TooDeep: the check exceeded
// agentauthz.max_depth -- not allowed. Nothing is recorded.
enum class Decision { Allowed, Denied, TooDeep };
Decision actor_decides(const ActiveActor& actor, core::RelationId relation,
                       const core::Object& object);

// Whether the current actor has `relation` on `object` (`type:id`), on
// record. An object that names nothing the model defines (malformed, or of
// an unknown type) is not allowed; an unknown relation is an error.
bool actor_check(std::string_view relation, std::string_view object);

// What a key that cannot be an object's id does: not allowed (a row being
// read), or an error (a row being written: WITH CHECK).
enum class MalformedKey { Deny, Refuse };
// The same for an object given as its type and id (the typed forms
// protect() generates: no string is built in SQL per row).
bool actor_check(std::string_view relation, std::string_view object_type, std::string_view id,
                 MalformedKey malformed);
// The same for an integer id: once the statement has an allowed set for
// (relation, type), a lookup of the integer.
bool actor_check(std::string_view relation, std::string_view object_type, int64_t id,
                 MalformedKey malformed);
// For a row inserted under a parent (whose policy checks the parent): true
// when the row's object is new -- no stored tuple names it -- and otherwise
// whether the actor has `relation` on it (taking an existing object into a
// new parent is a move). A key that cannot name an object is an error.
bool actor_check_new_object(std::string_view relation, std::string_view object_type,
                            std::string_view id);
bool actor_check_new_object(std::string_view relation, std::string_view object_type, int64_t id);
// The ids of the objects of `object_type` the current actor has
// `relation` on, sorted.
std::vector<std::string> actor_allowed_ids(std::string_view relation, std::string_view object_type);

}  // namespace agentauthz::pg
