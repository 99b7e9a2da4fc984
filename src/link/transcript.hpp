// The handshake's symmetric state: a running transcript hash `h` and a chaining key `ck`, as
// in the Noise framework (Noise spec rev. 34 §5.2 "SymmetricState"), with BLAKE2b-256 for
// MixHash and crypto::derive_key for MixKey/Split. See docs/protocol/link.md "Key schedule".
#pragma once

#include <cstdint>
#include <string_view>

#include "crypto/hash.hpp"
#include "crypto/secure.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::link {

// The two directional keys a completed handshake yields.
struct DirectionalKeys {
  crypto::SecretBytes initiator_to_responder;
  crypto::SecretBytes responder_to_initiator;
};

class Transcript {
 public:
  // h = ck = BLAKE2b-256(protocol_name).
  explicit Transcript(std::string_view protocol_name);

  // h = BLAKE2b-256(h || data).
  void mix_hash(ByteView data);
  // ck, k = derive_key(ck || ikm, ...); resets the handshake nonce to 0.
  void mix_key(const crypto::SecretBytes& input_key_material);

  // AEAD under the current handshake key with ad = h and nonce n++ (ChaCha20-Poly1305).
  // Precondition: mix_key has been called (programming error otherwise).
  Bytes seal(ByteView plaintext);
  Result<Bytes> open(ByteView ciphertext);

  const crypto::Hash256& hash() const { return h_; }
  bool has_key() const { return !k_.empty(); }

  // Final cell keys: derive_key(ck || h, "zmesh/link/v1/i2r" | "zmesh/link/v1/r2i", 32).
  DirectionalKeys split() const;

 private:
  crypto::Hash256 h_{};
  crypto::SecretBytes ck_;
  crypto::SecretBytes k_;
  std::uint64_t n_ = 0;
};

}  // namespace zmesh::link
