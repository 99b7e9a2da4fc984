#include "identity/identity.hpp"

namespace zmesh {

NodeIdentity NodeIdentity::generate(RandomSource& random) {
  NodeIdentity identity{crypto::hybrid_sig_generate(random), NodeId{}};
  identity.id = NodeId::of(identity.signing.public_key);
  return identity;
}

NodeKeys NodeKeys::generate(RandomSource& random, UnixSeconds now) {
  NodeKeys keys{NodeIdentity::generate(random), {}};
  keys.onion_keys.push_back(OnionKeyPair::generate(random, now));
  return keys;
}

std::vector<OnionPublicKey> NodeKeys::onion_public_keys() const {
  std::vector<OnionPublicKey> out;
  out.reserve(onion_keys.size());
  for (const OnionKeyPair& key : onion_keys) out.push_back(key.public_part());
  return out;
}

}  // namespace zmesh
