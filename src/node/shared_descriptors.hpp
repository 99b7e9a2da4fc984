// One copy per process of each verified descriptor. A descriptor is ~5 KB (the ML-DSA-65
// signature and the ML-KEM onion keys) and immutable once verified, and the same bytes reach many
// holders: every cache of a node that learnt it, and in the simulator every one of thousands of
// nodes in the process. Holders keep a shared pointer to one interned copy instead of their own;
// the copy goes when its last holder lets go. Nothing about what a holder sees changes.
// Identical descriptors are recognised by the BLAKE2b of their encoding (util/interner.hpp).
#pragma once

#include <memory>

#include "identity/descriptor.hpp"

namespace zmesh::node {

std::shared_ptr<const NodeDescriptor> share_descriptor(NodeDescriptor descriptor);

}  // namespace zmesh::node
