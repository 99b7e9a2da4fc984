#include "identity/onion_key.hpp"

#include <algorithm>

#include "crypto/hash.hpp"

namespace zmesh {

OnionKeyId onion_key_id(const crypto::HybridKemPublicKey& key) {
  static constexpr std::string_view kLabel = "zmesh/onion-key-id/v1";
  crypto::Blake2b256 hash;
  hash.update(as_bytes(kLabel)).update(key.encode());
  const crypto::Hash256 digest = hash.finish();
  OnionKeyId id;
  std::copy_n(digest.begin(), OnionKeyId::kBytes, id.bytes.begin());
  return id;
}

OnionKeyId OnionPublicKey::id() const { return onion_key_id(key); }

OnionKeyPair OnionKeyPair::generate(RandomSource& random, UnixSeconds valid_from, UnixSeconds lifetime) {
  OnionKeyPair pair{crypto::hybrid_kem_generate(random), valid_from, 0};
  pair.valid_until = valid_from + std::min(lifetime, kMaxOnionKeyLifetime);
  return pair;
}

}  // namespace zmesh
