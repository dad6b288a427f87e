
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/core/caching_reader.cpp" "CMakeFiles/agentauthz_core.dir/src/core/caching_reader.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/caching_reader.cpp.o.d"
  "/work/main/src/core/dsl_lexer.cpp" "CMakeFiles/agentauthz_core.dir/src/core/dsl_lexer.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/dsl_lexer.cpp.o.d"
  "/work/main/src/core/dsl_parser.cpp" "CMakeFiles/agentauthz_core.dir/src/core/dsl_parser.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/dsl_parser.cpp.o.d"
  "/work/main/src/core/evaluator.cpp" "CMakeFiles/agentauthz_core.dir/src/core/evaluator.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/evaluator.cpp.o.d"
  "/work/main/src/core/evaluator_lists.cpp" "CMakeFiles/agentauthz_core.dir/src/core/evaluator_lists.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/evaluator_lists.cpp.o.d"
  "/work/main/src/core/explain_json.cpp" "CMakeFiles/agentauthz_core.dir/src/core/explain_json.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/explain_json.cpp.o.d"
  "/work/main/src/core/interner.cpp" "CMakeFiles/agentauthz_core.dir/src/core/interner.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/interner.cpp.o.d"
  "/work/main/src/core/memory_reader.cpp" "CMakeFiles/agentauthz_core.dir/src/core/memory_reader.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/memory_reader.cpp.o.d"
  "/work/main/src/core/model.cpp" "CMakeFiles/agentauthz_core.dir/src/core/model.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/model.cpp.o.d"
  "/work/main/src/core/model_validator.cpp" "CMakeFiles/agentauthz_core.dir/src/core/model_validator.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/model_validator.cpp.o.d"
  "/work/main/src/core/model_validator_cycles.cpp" "CMakeFiles/agentauthz_core.dir/src/core/model_validator_cycles.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/model_validator_cycles.cpp.o.d"
  "/work/main/src/core/model_validator_entry.cpp" "CMakeFiles/agentauthz_core.dir/src/core/model_validator_entry.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/model_validator_entry.cpp.o.d"
  "/work/main/src/core/model_validator_index.cpp" "CMakeFiles/agentauthz_core.dir/src/core/model_validator_index.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/model_validator_index.cpp.o.d"
  "/work/main/src/core/model_validator_refs.cpp" "CMakeFiles/agentauthz_core.dir/src/core/model_validator_refs.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/model_validator_refs.cpp.o.d"
  "/work/main/src/core/name_rules.cpp" "CMakeFiles/agentauthz_core.dir/src/core/name_rules.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/name_rules.cpp.o.d"
  "/work/main/src/core/request.cpp" "CMakeFiles/agentauthz_core.dir/src/core/request.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/request.cpp.o.d"
  "/work/main/src/core/tuple_key.cpp" "CMakeFiles/agentauthz_core.dir/src/core/tuple_key.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/tuple_key.cpp.o.d"
  "/work/main/src/core/tuple_validation.cpp" "CMakeFiles/agentauthz_core.dir/src/core/tuple_validation.cpp.o" "gcc" "CMakeFiles/agentauthz_core.dir/src/core/tuple_validation.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
