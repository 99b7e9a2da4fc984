#include "node/shared_descriptors.hpp"

#include "crypto/hash.hpp"
#include "util/interner.hpp"

namespace zmesh::node {

std::shared_ptr<const NodeDescriptor> share_descriptor(NodeDescriptor descriptor) {
  const crypto::Hash256 key = crypto::blake2b_256(descriptor.encode());
  return Interner<NodeDescriptor>::share(key, std::move(descriptor));
}

}  // namespace zmesh::node
