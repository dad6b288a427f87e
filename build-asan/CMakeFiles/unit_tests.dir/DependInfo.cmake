
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/test/unit/dsl_garbage_test.cpp" "CMakeFiles/unit_tests.dir/test/unit/dsl_garbage_test.cpp.o" "gcc" "CMakeFiles/unit_tests.dir/test/unit/dsl_garbage_test.cpp.o.d"
  "/work/main/test/unit/dsl_lexer_test.cpp" "CMakeFiles/unit_tests.dir/test/unit/dsl_lexer_test.cpp.o" "gcc" "CMakeFiles/unit_tests.dir/test/unit/dsl_lexer_test.cpp.o.d"
  "/work/main/test/unit/dsl_parser_test.cpp" "CMakeFiles/unit_tests.dir/test/unit/dsl_parser_test.cpp.o" "gcc" "CMakeFiles/unit_tests.dir/test/unit/dsl_parser_test.cpp.o.d"
  "/work/main/test/unit/model_validator_test.cpp" "CMakeFiles/unit_tests.dir/test/unit/model_validator_test.cpp.o" "gcc" "CMakeFiles/unit_tests.dir/test/unit/model_validator_test.cpp.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-asan/CMakeFiles/agentauthz_core.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
