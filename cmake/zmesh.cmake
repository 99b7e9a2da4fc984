# Project-wide helpers so that every layer builds the same way.

set(ZMESH_WARNINGS -Wall -Wextra -Werror)

# Link options for wasm programs run under node (tests, portable digest, wasm bench);
# see docs/wasm.md. Emscripten 3.1.6 (Debian bookworm) spells the stack setting
# TOTAL_STACK (STACK_SIZE only exists from 3.1.27); ML-DSA-65 keeps large arrays on the
# stack, so 5 MiB instead of the 64 KiB-1 MiB defaults. Synchronous compilation keeps
# node >= 18 from trying fetch() on the .wasm path. The pre-js passes process.env
# through to getenv() (ctest sets ZMESH_SOURCE_DIR).
set(ZMESH_WASM_NODE_LINK_OPTIONS
  -sWASM_ASYNC_COMPILATION=0 -sALLOW_MEMORY_GROWTH=1 -sTOTAL_STACK=5242880
  -sINITIAL_MEMORY=33554432 -sNODERAWFS=1 -sEXIT_RUNTIME=1
  "SHELL:--pre-js ${CMAKE_CURRENT_LIST_DIR}/wasm/node_env_pre.js")

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
    # Whatever links an instrumented library (tests, tools) needs the sanitizer runtimes too;
    # fuzz targets add libFuzzer itself (fuzz/CMakeLists.txt).
    target_link_options(zmesh_${name} INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
  endif()
endfunction()

# zmesh_test(NAME SOURCES t.cpp DEPS zmesh_wire ... [TIMEOUT s] [LABELS l ...])
# One GoogleTest binary per call; natively registered test by test, under wasm run with node.
# LABELS mark slow suites (`ctest -L sim_large` runs them, `-LE` leaves them out).
function(zmesh_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ZMESH_WARNINGS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} zmesh_gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(ZMESH_WASM)
    # -O1 at link time (after the build type's -O3) only skips binaryen's wasm-opt -O3
    # pass: the code is still compiled at -O3. Saves ~8 s of CPU per test binary;
    # tests/portable's programs keep the full -O3 link.
    target_link_options(${name} PRIVATE ${ZMESH_WASM_NODE_LINK_OPTIONS} -O1)
    add_test(NAME wasm.${name} COMMAND node ${CMAKE_CURRENT_BINARY_DIR}/${name}.js)
    set_tests_properties(wasm.${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT "ZMESH_SOURCE_DIR=${CMAKE_SOURCE_DIR};ZMESH_BUILD_DIR=${CMAKE_BINARY_DIR}")
    if(ARG_LABELS)
      set_tests_properties(wasm.${name} PROPERTIES LABELS "${ARG_LABELS}")
    endif()
  else()
    include(GoogleTest)
    set(label_properties)
    if(ARG_LABELS)
      set(label_properties LABELS "${ARG_LABELS}")
    endif()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
      PROPERTIES TIMEOUT ${ARG_TIMEOUT} ${label_properties} ENVIRONMENT "ZMESH_SOURCE_DIR=${CMAKE_SOURCE_DIR};ZMESH_BUILD_DIR=${CMAKE_BINARY_DIR}")
  endif()
endfunction()
