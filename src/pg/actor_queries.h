// What RLS policies ask of the current actor: may it have a relation on
// one object, and which objects of a type may it have it on.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentauthz::pg {

// Whether the current actor has `relation` on `object` (`type:id`): the
// subject's rights, or the principal's rights within every delegation
// scope. False without a valid actor context.
bool actor_check(std::string_view relation, std::string_view object);
// The same for an object given as its type and id (the typed forms
// protect() generates: no string is built in SQL per row).
bool actor_check(std::string_view relation, std::string_view object_type, std::string_view id);
// The same for an integer id: once the statement has an allowed set for
// (relation, type), a hash lookup of the integer.
bool actor_check(std::string_view relation, std::string_view object_type, int64_t id);
// The ids of the objects of `object_type` the current actor has
// `relation` on, sorted.
std::vector<std::string> actor_allowed_ids(std::string_view relation, std::string_view object_type);

}  // namespace agentauthz::pg
