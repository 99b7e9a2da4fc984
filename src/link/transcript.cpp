#include "link/transcript.hpp"

#include <cstdlib>
#include <cstring>

#include "crypto/aead.hpp"

namespace zmesh::link {
namespace {

// derive_key labels (docs/protocol/link.md "Key schedule"). Distinct labels keep every
// derived key independent of the others.
constexpr std::string_view kLabelChainingKey = "zmesh/link/v1/ck";
constexpr std::string_view kLabelHandshakeKey = "zmesh/link/v1/hs";
constexpr std::string_view kLabelInitiatorToResponder = "zmesh/link/v1/i2r";
constexpr std::string_view kLabelResponderToInitiator = "zmesh/link/v1/r2i";

// ck || second, in guarded memory.
crypto::SecretBytes concat(const crypto::SecretBytes& first, ByteView second) {
  crypto::SecretBytes out(first.size() + second.size());
  std::memcpy(out.data(), first.data(), first.size());
  if (!second.empty()) std::memcpy(out.data() + first.size(), second.data(), second.size());
  return out;
}

}  // namespace

Transcript::Transcript(std::string_view protocol_name) {
  h_ = crypto::blake2b_256(as_bytes(protocol_name));
  ck_ = crypto::SecretBytes::copy_of(h_);
}

void Transcript::mix_hash(ByteView data) {
  crypto::Blake2b256 hasher;
  hasher.update(h_).update(data);
  h_ = hasher.finish();
}

void Transcript::mix_key(const crypto::SecretBytes& input_key_material) {
  const crypto::SecretBytes ikm = concat(ck_, input_key_material.view());
  ck_ = crypto::derive_key(ikm.view(), kLabelChainingKey, 32);
  k_ = crypto::derive_key(ikm.view(), kLabelHandshakeKey, crypto::kAeadKeyBytes);
  n_ = 0;
}

Bytes Transcript::seal(ByteView plaintext) {
  if (k_.empty()) std::abort();  // programming error: encryption before any key was mixed
  Bytes out(plaintext.size() + crypto::kAeadTagBytes);
  const auto nonce = crypto::counter_nonce(n_++);
  crypto::chacha20poly1305_seal(k_, nonce, h_, plaintext, out);
  return out;
}

Result<Bytes> Transcript::open(ByteView ciphertext) {
  if (k_.empty()) std::abort();
  if (ciphertext.size() < crypto::kAeadTagBytes) return make_error(Errc::truncated, "handshake ciphertext shorter than its tag");
  Bytes out(ciphertext.size() - crypto::kAeadTagBytes);
  const auto nonce = crypto::counter_nonce(n_++);
  ZM_CHECK(crypto::chacha20poly1305_open(k_, nonce, h_, ciphertext, out));
  return out;
}

DirectionalKeys Transcript::split() const {
  const crypto::SecretBytes ikm = concat(ck_, h_);
  return DirectionalKeys{crypto::derive_key(ikm.view(), kLabelInitiatorToResponder, crypto::kAeadKeyBytes),
                         crypto::derive_key(ikm.view(), kLabelResponderToInitiator, crypto::kAeadKeyBytes)};
}

}  // namespace zmesh::link
