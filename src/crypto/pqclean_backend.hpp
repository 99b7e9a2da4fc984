// Which compilation of PQClean's `clean` ML-KEM-768 and ML-DSA-65 runs. On x86-64 the same
// sources are also built with AVX2/BMI2 code generation (cmake/pqclean.cmake); that copy is
// chosen once, at first use, when the CPU has AVX2, BMI1 and BMI2. Both copies compute the
// same bytes (tests/crypto/pqclean_backend_test.cpp checks it); only the speed differs.
#pragma once

#include <cstddef>
#include <cstdint>

namespace zmesh::crypto::detail {

struct PqCleanBackend {
  const char* name;  // "clean" or "clean-avx2"
  int (*kem_keypair)(std::uint8_t* pk, std::uint8_t* sk);
  int (*kem_enc)(std::uint8_t* ct, std::uint8_t* ss, const std::uint8_t* pk);
  int (*kem_dec)(std::uint8_t* ss, const std::uint8_t* ct, const std::uint8_t* sk);
  int (*sign_keypair)(std::uint8_t* pk, std::uint8_t* sk);
  int (*sign_signature_ctx)(std::uint8_t* sig, std::size_t* siglen, const std::uint8_t* m, std::size_t mlen,
                            const std::uint8_t* ctx, std::size_t ctxlen, const std::uint8_t* sk);
  int (*sign_verify_ctx)(const std::uint8_t* sig, std::size_t siglen, const std::uint8_t* m, std::size_t mlen,
                         const std::uint8_t* ctx, std::size_t ctxlen, const std::uint8_t* pk);
};

// The backend every ML-KEM / ML-DSA call in src/crypto uses: the stand-ins of
// simulated_crypto.hpp while a SimulatedCryptoForSimulatorOnly is alive, else the best real one.
const PqCleanBackend& pqclean();
// The portable build (always present).
const PqCleanBackend& pqclean_portable();
// The simulator-only stand-ins while a SimulatedCryptoForSimulatorOnly is alive, else nullptr.
const PqCleanBackend* pqclean_simulated_if_active();
// The AVX2/BMI2 build, or nullptr when it was not compiled in or this CPU cannot run it.
const PqCleanBackend* pqclean_x86_avx2();

}  // namespace zmesh::crypto::detail
