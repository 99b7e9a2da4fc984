#include "crypto/hash.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "crypto/misuse.hpp"
// PQClean's FIPS 202 (SHA-3 / SHAKE), the same code ML-KEM and ML-DSA use; a C header.
extern "C" {
#include "fips202.h"
}

namespace zmesh::crypto {
namespace {

static_assert(sizeof(crypto_generichash_state) <= 384, "Blake2b256::state_ too small for libsodium's state");

using detail::misuse;

crypto_generichash_state* as_state(std::uint8_t* storage) {
  return reinterpret_cast<crypto_generichash_state*>(storage);
}

// KDF parameters (docs/crypto.md, "derive_key").
constexpr std::size_t kKdfBlockBytes = crypto_generichash_BYTES_MAX;  // 64
constexpr std::size_t kKdfMaxOutputBytes = 255 * kKdfBlockBytes;
constexpr std::string_view kKdfExtractLabel = "zmesh-kdf-v1";

}  // namespace

Hash256 blake2b_256(ByteView data) {
  Hash256 out{};
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), nullptr, 0);
  return out;
}

Bytes blake2b_keyed(ByteView key, ByteView data, std::size_t out_bytes) {
  if (key.size() < crypto_generichash_KEYBYTES_MIN || key.size() > crypto_generichash_KEYBYTES_MAX)
    misuse("blake2b_keyed: key must be 16..64 bytes");
  if (out_bytes < crypto_generichash_BYTES_MIN || out_bytes > crypto_generichash_BYTES_MAX)
    misuse("blake2b_keyed: output must be 16..64 bytes");
  Bytes out(out_bytes);
  crypto_generichash(out.data(), out.size(), data.data(), data.size(), key.data(), key.size());
  return out;
}

Hash256 sha3_256(ByteView data) {
  Hash256 out{};
  ::sha3_256(out.data(), data.data(), data.size());
  return out;
}

Blake2b256::Blake2b256() { crypto_generichash_init(as_state(state_), nullptr, 0, 32); }

Blake2b256& Blake2b256::update(ByteView data) {
  crypto_generichash_update(as_state(state_), data.data(), data.size());
  return *this;
}

Hash256 Blake2b256::finish() {
  Hash256 out{};
  if (crypto_generichash_final(as_state(state_), out.data(), out.size()) != 0) misuse("Blake2b256::finish called twice");
  return out;
}

// Extract-then-expand in the style of HKDF (RFC 5869), with keyed BLAKE2b-512 as the PRF and
// a counter-mode expand (NIST SP 800-108r1 §4.1):
//   prk  = BLAKE2b-512(key = input_key compressed to <= 64 bytes, msg = "zmesh-kdf-v1")
//   T(i) = BLAKE2b-512(key = prk, msg = u16be(len(info)) || info || u32be(out_bytes) || u8(i))
//   out  = first out_bytes of T(1) || T(2) || ...
// Encoding the requested length makes outputs of different sizes unrelated.
SecretBytes derive_key(ByteView input_key, std::string_view info, std::size_t out_bytes) {
  if (out_bytes == 0 || out_bytes > kKdfMaxOutputBytes) misuse("derive_key: out_bytes must be 1..16320");
  if (info.size() > 0xffff) misuse("derive_key: info longer than 65535 bytes");
  if (input_key.empty()) misuse("derive_key: empty input key");

  // BLAKE2b keys are at most 64 bytes: a longer input key is first hashed (like HMAC does).
  SecretBytes ikm(std::min<std::size_t>(input_key.size(), crypto_generichash_KEYBYTES_MAX));
  if (input_key.size() > crypto_generichash_KEYBYTES_MAX) {
    crypto_generichash(ikm.data(), ikm.size(), input_key.data(), input_key.size(), nullptr, 0);
  } else {
    std::memcpy(ikm.data(), input_key.data(), input_key.size());
  }
  SecretBytes prk(kKdfBlockBytes);
  crypto_generichash(prk.data(), prk.size(), reinterpret_cast<const std::uint8_t*>(kKdfExtractLabel.data()),
                     kKdfExtractLabel.size(), ikm.data(), ikm.size());

  const std::uint8_t info_len[2] = {static_cast<std::uint8_t>(info.size() >> 8), static_cast<std::uint8_t>(info.size())};
  const std::uint8_t length[4] = {static_cast<std::uint8_t>(out_bytes >> 24), static_cast<std::uint8_t>(out_bytes >> 16),
                                  static_cast<std::uint8_t>(out_bytes >> 8), static_cast<std::uint8_t>(out_bytes)};
  SecretBytes out(out_bytes);
  SecretBytes block(kKdfBlockBytes);
  crypto_generichash_state state;
  std::size_t done = 0;
  for (std::uint8_t counter = 1; done < out_bytes; ++counter) {
    crypto_generichash_init(&state, prk.data(), prk.size(), block.size());
    crypto_generichash_update(&state, info_len, sizeof info_len);
    crypto_generichash_update(&state, reinterpret_cast<const std::uint8_t*>(info.data()), info.size());
    crypto_generichash_update(&state, length, sizeof length);
    crypto_generichash_update(&state, &counter, 1);
    crypto_generichash_final(&state, block.data(), block.size());
    const std::size_t take = std::min(block.size(), out_bytes - done);
    std::memcpy(out.data() + done, block.data(), take);
    done += take;
  }
  sodium_memzero(&state, sizeof state);
  return out;
}

}  // namespace zmesh::crypto
