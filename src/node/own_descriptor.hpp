// Builds and signs this node's own descriptor (docs/protocol/descriptor.md) from its keys,
// listen URLs and capabilities, such that it fits one DHT record (descriptor_record.hpp).
#pragma once

#include <string>
#include <vector>

#include "identity/descriptor.hpp"

namespace zmesh::node {

struct OwnDescriptorParams {
  std::vector<std::string> listen_urls;  // left out: unknown schemes, unspecified hosts (0.0.0.0)
  std::uint32_t capabilities = 0;
  std::uint32_t bandwidth_kib_per_s = 0;
  UnixSeconds now = 0;
  UnixSeconds lifetime = kDefaultDescriptorLifetime;
  std::uint64_t sequence = 0;
};

// Onion keys: those not yet expired, newest first, at most kMaxOnionKeys; when the record
// would be too large, the oldest keys other than the one in use now are left out. The
// descriptor expires with its last onion key at the latest (a descriptor without a usable
// onion key is refused by readers). Errors: no onion key usable now (expired), too many or
// malformed addresses, a descriptor that fits no record even with one key.
Result<NodeDescriptor> build_own_descriptor(const NodeIdentity& identity, const std::vector<OnionKeyPair>& onion_keys,
                                            const OwnDescriptorParams& params, RandomSource& random);

}  // namespace zmesh::node
