// Authenticated encryption over libsodium: ChaCha20-Poly1305 (IETF, 96-bit nonce, for
// counters) and XChaCha20-Poly1305 (192-bit nonce, safe with random nonces).
#pragma once

#include <cstdint>

#include "crypto/secure.hpp"
#include "util/result.hpp"

namespace zmesh::crypto {

inline constexpr std::size_t kAeadKeyBytes = 32;
inline constexpr std::size_t kAeadTagBytes = 16;
inline constexpr std::size_t kChaChaNonceBytes = 12;
inline constexpr std::size_t kXChaChaNonceBytes = 24;

// Sealing with a wrong-size key, nonce or `out` is a programming error and aborts.
// Output is ciphertext || 16-byte tag. `out` must have plaintext.size() + kAeadTagBytes bytes
// (in-place operation, out.data() == plaintext.data(), is allowed).
void chacha20poly1305_seal(const SecretBytes& key, ByteView nonce12, ByteView associated_data, ByteView plaintext,
                           MutableByteView out);
// `out` must have ciphertext.size() - kAeadTagBytes bytes. verify_failed on any tampering;
// wrong key/nonce/out size -> invalid_argument, ciphertext shorter than the tag -> truncated.
Status chacha20poly1305_open(const SecretBytes& key, ByteView nonce12, ByteView associated_data, ByteView ciphertext,
                             MutableByteView out);

Bytes xchacha20poly1305_seal(const SecretBytes& key, ByteView nonce24, ByteView associated_data, ByteView plaintext);
Result<Bytes> xchacha20poly1305_open(const SecretBytes& key, ByteView nonce24, ByteView associated_data,
                                     ByteView ciphertext);

// A 96-bit nonce from a 64-bit counter (big-endian in the last 8 bytes).
ByteArray<kChaChaNonceBytes> counter_nonce(std::uint64_t counter);

// Raw ChaCha20 keystream XOR (no authentication), for layered onion encryption where
// integrity is provided elsewhere. nonce 12 bytes, initial block counter `block`.
void chacha20_xor(const SecretBytes& key, ByteView nonce12, std::uint32_t block, ByteView in, MutableByteView out);

}  // namespace zmesh::crypto
