# Project-wide helpers so that every layer builds the same way.

set(ZMESH_WARNINGS -Wall -Wextra -Werror)

# zmesh_library(NAME SOURCES a.cpp b.cpp DEPS other_lib ...)
# Creates zmesh_<NAME>, with src/ as its include root ("util/bytes.hpp").
function(zmesh_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(zmesh_${name} STATIC ${ARG_SOURCES})
  target_include_directories(zmesh_${name} PUBLIC ${CMAKE_SOURCE_DIR}/src)
  target_compile_options(zmesh_${name} PRIVATE ${ZMESH_WARNINGS})
  target_link_libraries(zmesh_${name} PUBLIC ${ARG_DEPS})
  if(ZMESH_FUZZ)
    target_compile_options(zmesh_${name} PRIVATE -fsanitize=fuzzer-no-link,address,undefined)
  endif()
endfunction()

# zmesh_test(NAME SOURCES t.cpp DEPS zmesh_wire ...)
# One GoogleTest binary per call; natively registered test by test, under wasm run with node.
function(zmesh_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ZMESH_WARNINGS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} zmesh_gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(ZMESH_WASM)
    target_link_options(${name} PRIVATE -sWASM_ASYNC_COMPILATION=0 -sALLOW_MEMORY_GROWTH=1 -sSTACK_SIZE=1048576 -sNODERAWFS=1 -sEXIT_RUNTIME=1)
    add_test(NAME wasm.${name} COMMAND node ${CMAKE_CURRENT_BINARY_DIR}/${name}.js)
    set_tests_properties(wasm.${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "ZMESH_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
  else()
    include(GoogleTest)
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
      PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "ZMESH_SOURCE_DIR=${CMAKE_SOURCE_DIR};ZMESH_BUILD_DIR=${CMAKE_BINARY_DIR}")
  endif()
endfunction()
