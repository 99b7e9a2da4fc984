#include "identity/node_id.hpp"

#include "crypto/hash.hpp"

namespace zmesh {

NodeId NodeId::of(const crypto::HybridSigPublicKey& key) {
  NodeId id;
  id.bytes = crypto::blake2b_256(key.encode());
  return id;
}

Result<NodeId> NodeId::from_hex(std::string_view hex) {
  ZM_TRY(auto raw, array_from_hex<kBytes>(hex));
  NodeId id;
  id.bytes = raw;
  return id;
}

}  // namespace zmesh
