// StaticPeerDirectory: a PeerDirectory over a fixed set of descriptors, for tests and for
// static meshes (`zmesh node --relay-descriptor FILE`), and as the local layer in front of the
// DHT. Every descriptor is verified when added; expired ones are simply not returned.
#pragma once

#include <map>

#include "node/peer_directory.hpp"

namespace zmesh::node {

inline constexpr std::size_t kMaxStaticDescriptors = 4096;

class StaticPeerDirectory final : public PeerDirectory {
 public:
  // Verifies (signature, times) and keeps the descriptor, replacing an older one of the same
  // node (a lower sequence is refused with invalid_argument). limit_exceeded beyond
  // kMaxStaticDescriptors nodes.
  Status add(NodeDescriptor descriptor, UnixSeconds now);
  void remove(const NodeId& id) { descriptors_.erase(id); }
  std::size_t size() const { return descriptors_.size(); }

  const NodeDescriptor* descriptor(const NodeId& id, UnixSeconds now) const override;
  // Answers at once from the set: the descriptor, or not_found.
  void find_descriptor(Now now, const NodeId& id, DescriptorCallback done) override;
  std::vector<NodeDescriptor> known_descriptors(UnixSeconds now, std::uint32_t required_capabilities) const override;

 private:
  std::map<NodeId, NodeDescriptor> descriptors_;
};

}  // namespace zmesh::node
