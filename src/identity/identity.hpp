// A node's long-term identity: its hybrid signing key pair and the NodeId derived from it.
#pragma once

#include <vector>

#include "crypto/hybrid_sig.hpp"
#include "identity/node_id.hpp"
#include "identity/onion_key.hpp"
#include "identity/unix_time.hpp"
#include "runtime/random.hpp"

namespace zmesh {

struct NodeIdentity {
  crypto::HybridSigKeyPair signing;
  NodeId id;

  static NodeIdentity generate(RandomSource& random);
};

// Everything secret a node keeps across restarts (see identity/keyfile.hpp): the identity and
// its current onion keys (oldest first; rotation appends a new one and later drops the old).
struct NodeKeys {
  NodeIdentity identity;
  std::vector<OnionKeyPair> onion_keys;

  // A fresh identity and one onion key valid from `now` for kDefaultOnionKeyLifetime.
  static NodeKeys generate(RandomSource& random, UnixSeconds now);
  std::vector<OnionPublicKey> onion_public_keys() const;
};

}  // namespace zmesh
