# Third-party libraries. Natively they come from Debian packages; for WebAssembly,
# libsodium is built from Debian's source release by scripts/setup.sh and GoogleTest
# from Debian's /usr/src/googletest.

find_package(Threads REQUIRED)

# --- libsodium ---
add_library(zmesh_sodium INTERFACE)
if(ZMESH_WASM)
  set(ZMESH_SODIUM_WASM_DIR ${CMAKE_SOURCE_DIR}/third_party/libsodium-wasm)
  if(NOT EXISTS ${ZMESH_SODIUM_WASM_DIR}/lib/libsodium.a)
    message(FATAL_ERROR "libsodium for wasm missing: run scripts/setup.sh")
  endif()
  target_include_directories(zmesh_sodium INTERFACE ${ZMESH_SODIUM_WASM_DIR}/include)
  target_link_libraries(zmesh_sodium INTERFACE ${ZMESH_SODIUM_WASM_DIR}/lib/libsodium.a)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
  target_link_libraries(zmesh_sodium INTERFACE PkgConfig::SODIUM)
endif()

# --- PQClean (ML-KEM-768, ML-DSA-65) from the pinned npm package ---
include(pqclean)

# --- GoogleTest ---
if(ZMESH_WASM)
  set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
  add_subdirectory(/usr/src/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
  add_library(zmesh_gtest_main INTERFACE)
  target_link_libraries(zmesh_gtest_main INTERFACE gtest_main gmock)
else()
  find_package(GTest REQUIRED)
  add_library(zmesh_gtest_main INTERFACE)
  target_link_libraries(zmesh_gtest_main INTERFACE GTest::gtest_main GTest::gmock Threads::Threads)
endif()

# --- native-only libraries ---
if(NOT ZMESH_WASM)
  find_package(OpenSSL 3 REQUIRED)
  find_package(nlohmann_json 3 REQUIRED)
  if(ZMESH_BENCH)
    find_package(benchmark REQUIRED)
  endif()
endif()

# --- WebRTC data channels (src/io/webrtc), native only: libnice (ICE/STUN/TURN) on GLib's main
# context, usrsctp (userspace SCTP over DTLS). DTLS itself is OpenSSL 3 (above).
if(NOT ZMESH_WASM)
  pkg_check_modules(NICE REQUIRED IMPORTED_TARGET nice)
  pkg_check_modules(USRSCTP REQUIRED IMPORTED_TARGET usrsctp)
  pkg_check_modules(GLIB REQUIRED IMPORTED_TARGET glib-2.0 gobject-2.0)
endif()
