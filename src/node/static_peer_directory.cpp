#include "node/static_peer_directory.hpp"

namespace zmesh::node {

Status StaticPeerDirectory::add(NodeDescriptor descriptor, UnixSeconds now) {
  ZM_CHECK(descriptor.verify(now));
  auto it = descriptors_.find(descriptor.node_id);
  if (it != descriptors_.end()) {
    if (descriptor.sequence < it->second.sequence)
      return make_error(Errc::invalid_argument, "an older descriptor than the one held for " + descriptor.node_id.short_hex());
    it->second = std::move(descriptor);
    return {};
  }
  if (descriptors_.size() >= kMaxStaticDescriptors)
    return make_error(Errc::limit_exceeded, "static peer directory full");
  const NodeId id = descriptor.node_id;
  descriptors_.emplace(id, std::move(descriptor));
  return {};
}

const NodeDescriptor* StaticPeerDirectory::descriptor(const NodeId& id, UnixSeconds now) const {
  auto it = descriptors_.find(id);
  if (it == descriptors_.end() || now >= it->second.expires_at) return nullptr;
  return &it->second;
}

void StaticPeerDirectory::find_descriptor(Now now, const NodeId& id, DescriptorCallback done) {
  const NodeDescriptor* found = descriptor(id, now.unix_seconds());
  if (found == nullptr) {
    done(now, make_error(Errc::not_found, "no descriptor for " + id.short_hex()));
    return;
  }
  done(now, *found);
}

std::vector<NodeDescriptor> StaticPeerDirectory::known_descriptors(UnixSeconds now,
                                                                   std::uint32_t required_capabilities) const {
  std::vector<NodeDescriptor> out;
  for (const auto& [id, d] : descriptors_)
    if (now < d.expires_at && (d.capabilities & required_capabilities) == required_capabilities) out.push_back(d);
  return out;
}

}  // namespace zmesh::node
