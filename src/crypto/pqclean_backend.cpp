#include "crypto/pqclean_backend.hpp"

extern "C" {
#include "ml-dsa-65/clean/api.h"
#include "ml-kem-768/clean/api.h"

#ifdef ZMESH_PQCLEAN_X86_AVX2
// The renamed copy built by cmake/pqclean.cmake (same prototypes as api.h).
int PQCLEAN_MLKEM768_CLEAN_crypto_kem_keypair_x86avx2(uint8_t* pk, uint8_t* sk);
int PQCLEAN_MLKEM768_CLEAN_crypto_kem_enc_x86avx2(uint8_t* ct, uint8_t* ss, const uint8_t* pk);
int PQCLEAN_MLKEM768_CLEAN_crypto_kem_dec_x86avx2(uint8_t* ss, const uint8_t* ct, const uint8_t* sk);
int PQCLEAN_MLDSA65_CLEAN_crypto_sign_keypair_x86avx2(uint8_t* pk, uint8_t* sk);
int PQCLEAN_MLDSA65_CLEAN_crypto_sign_signature_ctx_x86avx2(uint8_t* sig, size_t* siglen, const uint8_t* m, size_t mlen,
                                                            const uint8_t* ctx, size_t ctxlen, const uint8_t* sk);
int PQCLEAN_MLDSA65_CLEAN_crypto_sign_verify_ctx_x86avx2(const uint8_t* sig, size_t siglen, const uint8_t* m,
                                                         size_t mlen, const uint8_t* ctx, size_t ctxlen,
                                                         const uint8_t* pk);
#endif
}

namespace zmesh::crypto::detail {
namespace {

constexpr PqCleanBackend kPortable{
    "clean",
    PQCLEAN_MLKEM768_CLEAN_crypto_kem_keypair,
    PQCLEAN_MLKEM768_CLEAN_crypto_kem_enc,
    PQCLEAN_MLKEM768_CLEAN_crypto_kem_dec,
    PQCLEAN_MLDSA65_CLEAN_crypto_sign_keypair,
    PQCLEAN_MLDSA65_CLEAN_crypto_sign_signature_ctx,
    PQCLEAN_MLDSA65_CLEAN_crypto_sign_verify_ctx,
};

#ifdef ZMESH_PQCLEAN_X86_AVX2
constexpr PqCleanBackend kX86Avx2{
    "clean-avx2",
    PQCLEAN_MLKEM768_CLEAN_crypto_kem_keypair_x86avx2,
    PQCLEAN_MLKEM768_CLEAN_crypto_kem_enc_x86avx2,
    PQCLEAN_MLKEM768_CLEAN_crypto_kem_dec_x86avx2,
    PQCLEAN_MLDSA65_CLEAN_crypto_sign_keypair_x86avx2,
    PQCLEAN_MLDSA65_CLEAN_crypto_sign_signature_ctx_x86avx2,
    PQCLEAN_MLDSA65_CLEAN_crypto_sign_verify_ctx_x86avx2,
};

bool cpu_runs_avx2_build() {
  __builtin_cpu_init();
  // The compiler's check covers the OS side too (AVX state enabled in XCR0).
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
}
#endif

}  // namespace

const PqCleanBackend& pqclean_portable() { return kPortable; }

const PqCleanBackend* pqclean_x86_avx2() {
#ifdef ZMESH_PQCLEAN_X86_AVX2
  static const bool usable = cpu_runs_avx2_build();
  return usable ? &kX86Avx2 : nullptr;
#else
  return nullptr;
#endif
}

const PqCleanBackend& pqclean() {
  if (const PqCleanBackend* simulated = pqclean_simulated_if_active()) return *simulated;
  static const PqCleanBackend& chosen = pqclean_x86_avx2() != nullptr ? *pqclean_x86_avx2() : kPortable;
  return chosen;
}

}  // namespace zmesh::crypto::detail
