// PeerDirectory: what services know about other nodes' signed descriptors, from whatever
// discovered them (in a running node: the DHT service; in tests and static meshes: a fixed
// list). The onion service uses it to pick relays and to find the address of a circuit's next
// hop; the DHT service fills it. Sans-IO: lookups finish through a callback that the owner
// calls from the node's own loop, never from another thread.
#pragma once

#include <functional>
#include <vector>

#include "identity/descriptor.hpp"
#include "identity/node_id.hpp"
#include "runtime/time.hpp"
#include "util/result.hpp"

namespace zmesh::node {

// Gets the time of the event that answered (the caller may act on the answer at once).
using DescriptorCallback = std::function<void(Now now, Result<NodeDescriptor>)>;

class PeerDirectory {
 public:
  virtual ~PeerDirectory() = default;

  // A verified, unexpired descriptor held for `id` right now (nullptr if none).
  virtual const NodeDescriptor* descriptor(const NodeId& id, UnixSeconds now) const = 0;

  // Finds `id`'s verified descriptor (locally or through the network); `done` gets it or
  // not_found / timeout. Called exactly once, possibly before find_descriptor returns.
  virtual void find_descriptor(Now now, const NodeId& id, DescriptorCallback done) = 0;

  // Verified, unexpired descriptors of other nodes known now that have every bit of
  // `required_capabilities` (path selection samples from these). Bounded by the implementation.
  virtual std::vector<NodeDescriptor> known_descriptors(UnixSeconds now, std::uint32_t required_capabilities) const = 0;
};

}  // namespace zmesh::node
