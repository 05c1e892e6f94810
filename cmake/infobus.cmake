# One helper per target kind, after Abseil's absl_cc_library:
#   infobus_cc_library(NAME x SRCS ... DEPS ...)   -> target infobus_x, alias infobus::x
#   infobus_cc_binary(NAME x SRCS ... DEPS ...)    -> executable x
#   infobus_cc_test(NAME x SRCS ... DEPS ... LABELS unit|integration)
set(INFOBUS_WARNINGS -Wall -Wextra -Werror)

function(infobus_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(infobus_${ARG_NAME} STATIC ${ARG_SRCS})
  add_library(infobus::${ARG_NAME} ALIAS infobus_${ARG_NAME})
  target_include_directories(infobus_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(infobus_${ARG_NAME} PRIVATE ${INFOBUS_WARNINGS})
  target_link_libraries(infobus_${ARG_NAME} PUBLIC ${ARG_DEPS})
endfunction()

function(infobus_cc_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_compile_options(${ARG_NAME} PRIVATE ${INFOBUS_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} PkgConfig::JEMALLOC)
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()

# Test binaries land in <build>/tests/bin; integration tests find the service binaries through
# the INFOBUS_BIN_DIR environment variable that ctest sets.
function(infobus_cc_test)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_compile_options(${ARG_NAME} PRIVATE ${INFOBUS_WARNINGS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${ARG_NAME} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests/bin)
  gtest_discover_tests(${ARG_NAME}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${ARG_LABELS}"
               ENVIRONMENT "INFOBUS_BIN_DIR=${PROJECT_BINARY_DIR}/bin")
endfunction()
