#include "pg/engine/definition_changes.h"

#include <cstring>

extern "C" {
#include "catalog/namespace.h"
#include "catalog/pg_inherits.h"
#include "nodes/parsenodes.h"
#include "parser/parse_func.h"
#include "utils/lsyscache.h"
}

namespace agentauthz::pg {

namespace {

constexpr const char* kName = "agentauthz";  // the extension's and its schema's

bool is_our_name(const char* name) { return name != nullptr && strcmp(name, kName) == 0; }

// Whether `relation` names a relation of the extension's schema, or none
// that exists (nothing to decide on: counted as one).
bool in_our_schema(RangeVar* relation, Oid schema, bool or_a_parent = false) {
  if (relation == nullptr) return true;
  Oid relid = RangeVarGetRelid(relation, NoLock, true);
  return !OidIsValid(relid) || get_rel_namespace(relid) == schema ||
         (or_a_parent && has_subclass(relid));
}

// Whether DDL on `relation` reaches one of ours: it is ours, or it has
// children (ALTER TABLE and CREATE TRIGGER recurse to partitions and
// inheritance children, which may be ours).
bool reaches_our_schema(RangeVar* relation, Oid schema) {
  return in_our_schema(relation, schema, true);
}

// ALTER TABLE: its table, or a partition it attaches or detaches.
bool alter_table_reaches_ours(AlterTableStmt* alter, Oid schema) {
  if (reaches_our_schema(alter->relation, schema)) return true;
  ListCell* cell;
  foreach (cell, alter->cmds) {
    auto* command = castNode(AlterTableCmd, lfirst(cell));
    if ((command->subtype == AT_AttachPartition || command->subtype == AT_DetachPartition) &&
        in_our_schema(castNode(PartitionCmd, command->def)->name, schema))
      return true;
  }
  return false;
}

// The same for a function named with its arguments.
bool function_in_our_schema(ObjectType type, ObjectWithArgs* function, Oid schema) {
  Oid funcid = LookupFuncWithArgs(type, function, true);
  return !OidIsValid(funcid) || get_func_namespace(funcid) == schema;
}

// Where CREATE FUNCTION puts `name`: its schema when qualified; unqualified,
// the first schema of the search path, counted as ours when ours is on it.
bool created_in_our_schema(List* name, Oid schema) {
  char* schema_name = nullptr;
  char* object_name = nullptr;
  DeconstructQualifiedName(name, &schema_name, &object_name);
  if (schema_name != nullptr) return is_our_name(schema_name);
  return list_member_oid(fetch_search_path(false), schema);
}

bool drop_touches_ours(DropStmt* drop, Oid schema) {
  // What a cascade reaches is not known before it runs.
  if (drop->behavior == DROP_CASCADE) return true;
  ListCell* cell;
  foreach (cell, drop->objects) {
    Node* object = static_cast<Node*>(lfirst(cell));
    switch (drop->removeType) {
      case OBJECT_TABLE:
      case OBJECT_VIEW:
      case OBJECT_MATVIEW:
      case OBJECT_INDEX:
      case OBJECT_SEQUENCE:
      case OBJECT_FOREIGN_TABLE:
        if (in_our_schema(makeRangeVarFromNameList(castNode(List, object)), schema)) return true;
        break;
      case OBJECT_TRIGGER:
      case OBJECT_POLICY:
      case OBJECT_RULE: {
        // [schema.]table.name: the table decides.
        List* names = castNode(List, object);
        if (list_length(names) < 2 || in_our_schema(makeRangeVarFromNameList(list_truncate(
                                                        list_copy(names), list_length(names) - 1)),
                                                    schema))
          return true;
        break;
      }
      case OBJECT_FUNCTION:
      case OBJECT_PROCEDURE:
      case OBJECT_ROUTINE:
        if (function_in_our_schema(drop->removeType, castNode(ObjectWithArgs, object), schema))
          return true;
        break;
      case OBJECT_SCHEMA:
      case OBJECT_EXTENSION:
        if (is_our_name(strVal(object))) return true;
        break;
      default:
        // Other objects, dropped without CASCADE, cannot take ours with
        // them (a dependency refuses the drop): types, roles' objects ...
        // but their names are not resolved here, so they count.
        return true;
    }
  }
  return false;
}

}  // namespace

bool may_change_engine_definitions(Node* statement) {
  Oid schema = get_namespace_oid(kName, true);
  switch (nodeTag(statement)) {
    case T_AlterTableStmt:
      return alter_table_reaches_ours(castNode(AlterTableStmt, statement), schema);
    case T_CreateTrigStmt:
      return reaches_our_schema(castNode(CreateTrigStmt, statement)->relation, schema);
    case T_RenameStmt: {
      auto* rename = castNode(RenameStmt, statement);
      if (rename->relation != nullptr) return reaches_our_schema(rename->relation, schema);
      if (rename->renameType == OBJECT_SCHEMA)
        return is_our_name(rename->subname) || is_our_name(rename->newname);
      return true;
    }
    case T_DropStmt:
      return drop_touches_ours(castNode(DropStmt, statement), schema);
    case T_CreateFunctionStmt:
      return created_in_our_schema(castNode(CreateFunctionStmt, statement)->funcname, schema);
    case T_AlterFunctionStmt: {
      auto* alter = castNode(AlterFunctionStmt, statement);
      return function_in_our_schema(alter->objtype, alter->func, schema);
    }
    case T_CreateExtensionStmt:
      return is_our_name(castNode(CreateExtensionStmt, statement)->extname);
    case T_AlterExtensionStmt:
      return is_our_name(castNode(AlterExtensionStmt, statement)->extname);
    case T_AlterExtensionContentsStmt:
      return is_our_name(castNode(AlterExtensionContentsStmt, statement)->extname);
    case T_AlterOwnerStmt:
    case T_AlterObjectSchemaStmt:
    case T_DropOwnedStmt:
    case T_ReassignOwnedStmt:
      return true;
    default:
      return false;
  }
}

}  // namespace agentauthz::pg
