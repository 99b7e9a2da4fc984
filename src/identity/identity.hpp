// A node's long-term identity: its hybrid signing key pair and the NodeId derived from it.
#pragma once

#include "crypto/hybrid_sig.hpp"
#include "identity/node_id.hpp"
#include "runtime/random.hpp"

namespace zmesh {

struct NodeIdentity {
  crypto::HybridSigKeyPair signing;
  NodeId id;

  static NodeIdentity generate(RandomSource& random);
};

}  // namespace zmesh
