// Hashes: BLAKE2b (libsodium) for ids, transcripts and KDFs; SHA3-256 (PQClean's FIPS 202)
// where a construction requires it (the X-Wing combiner).
#pragma once

#include "crypto/secure.hpp"
#include "util/bytes.hpp"

namespace zmesh::crypto {

using Hash256 = ByteArray<32>;

Hash256 blake2b_256(ByteView data);
// Keyed BLAKE2b (a MAC / PRF), key 16..64 bytes, output 16..64 bytes.
Bytes blake2b_keyed(ByteView key, ByteView data, std::size_t out_bytes);
Hash256 sha3_256(ByteView data);

// Incremental BLAKE2b-256, e.g. for handshake transcripts.
class Blake2b256 {
 public:
  Blake2b256();
  Blake2b256& update(ByteView data);
  Hash256 finish();  // may be called once

 private:
  alignas(64) std::uint8_t state_[384];
};

// Key derivation: BLAKE2b-based HKDF-style expand. out = BLAKE2b-keyed(key=ikm_prk,
// msg = info || counter). Used to derive many subkeys from one shared secret;
// `info` names the purpose so keys for different uses never coincide.
SecretBytes derive_key(ByteView input_key, std::string_view info, std::size_t out_bytes);

}  // namespace zmesh::crypto
