# PQClean's `clean` ML-KEM-768 and ML-DSA-65, compiled from the sources inside the npm
# package `pqclean` (version and integrity pinned in package-lock.json; nothing committed).
# randombytes() is provided by src/crypto (it routes to the injected RandomSource).
set(PQCLEAN_ROOT ${CMAKE_SOURCE_DIR}/node_modules/pqclean/deps/PQClean)
if(NOT EXISTS ${PQCLEAN_ROOT}/crypto_kem/ml-kem-768/clean/kem.c)
  message(FATAL_ERROR "PQClean sources missing at ${PQCLEAN_ROOT}: run scripts/setup.sh")
endif()
file(GLOB PQCLEAN_MLKEM768_SOURCES ${PQCLEAN_ROOT}/crypto_kem/ml-kem-768/clean/*.c)
file(GLOB PQCLEAN_MLDSA65_SOURCES ${PQCLEAN_ROOT}/crypto_sign/ml-dsa-65/clean/*.c)
add_library(zmesh_pqclean STATIC
  ${PQCLEAN_MLKEM768_SOURCES}
  ${PQCLEAN_MLDSA65_SOURCES}
  ${PQCLEAN_ROOT}/common/fips202.c)
# Each scheme includes its own headers by bare name ("params.h"), so each gets its own
# include directory through per-source properties.
set_source_files_properties(${PQCLEAN_MLKEM768_SOURCES} PROPERTIES INCLUDE_DIRECTORIES ${PQCLEAN_ROOT}/crypto_kem/ml-kem-768/clean)
set_source_files_properties(${PQCLEAN_MLDSA65_SOURCES} PROPERTIES INCLUDE_DIRECTORIES ${PQCLEAN_ROOT}/crypto_sign/ml-dsa-65/clean)
target_include_directories(zmesh_pqclean PUBLIC ${PQCLEAN_ROOT}/common)
target_include_directories(zmesh_pqclean INTERFACE ${PQCLEAN_ROOT}/crypto_kem ${PQCLEAN_ROOT}/crypto_sign)
set_target_properties(zmesh_pqclean PROPERTIES C_STANDARD 99 POSITION_INDEPENDENT_CODE ON)
target_compile_options(zmesh_pqclean PRIVATE -O3)
