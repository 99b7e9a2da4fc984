// Hashes: BLAKE2b (libsodium) for ids, transcripts and KDFs; SHA3-256 (PQClean's FIPS 202)
// where a construction requires it (the X-Wing combiner).
#pragma once

#include "crypto/secure.hpp"
#include "util/bytes.hpp"

namespace zmesh::crypto {

using Hash256 = ByteArray<32>;

Hash256 blake2b_256(ByteView data);
// Keyed BLAKE2b (a MAC / PRF), key 16..64 bytes, output 16..64 bytes (else aborts).
Bytes blake2b_keyed(ByteView key, ByteView data, std::size_t out_bytes);
Hash256 sha3_256(ByteView data);  // FIPS 202

// Incremental BLAKE2b-256, e.g. for handshake transcripts.
class Blake2b256 {
 public:
  Blake2b256();
  Blake2b256& update(ByteView data);
  Hash256 finish();  // may be called once

 private:
  alignas(64) std::uint8_t state_[384];
};

// Key derivation: HKDF-style extract-then-expand with keyed BLAKE2b-512 (exact byte layout in
// docs/crypto.md): prk = BLAKE2b(key = input_key, "zmesh-kdf-v1"), then blocks
// BLAKE2b(key = prk, u16be(len info) || info || u32be(out_bytes) || u8 counter).
// Used to derive many subkeys from one shared secret; `info` names the purpose so keys for
// different uses never coincide. out_bytes 1..16320, input_key non-empty (else aborts).
SecretBytes derive_key(ByteView input_key, std::string_view info, std::size_t out_bytes);

}  // namespace zmesh::crypto
