#include "node/descriptor_cache.hpp"

#include <algorithm>

#include "node/shared_descriptors.hpp"

namespace zmesh::node {

bool DescriptorCache::insert(NodeDescriptor descriptor, UnixSeconds now) {
  if (capacity_ == 0 || descriptor.expires_at <= now) return false;
  auto it = entries_.find(descriptor.node_id);
  if (it != entries_.end()) {
    if (it->second->sequence >= descriptor.sequence && it->second->expires_at > now) return false;
    it->second = share_descriptor(std::move(descriptor));
    return true;
  }
  if (entries_.size() >= capacity_) drop_expired(now);
  if (entries_.size() >= capacity_) {
    auto soonest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second->expires_at < b.second->expires_at;
    });
    if (soonest->second->expires_at >= descriptor.expires_at) return false;  // the newcomer would go first
    entries_.erase(soonest);
  }
  const NodeId id = descriptor.node_id;
  entries_.emplace(id, share_descriptor(std::move(descriptor)));
  return true;
}

const NodeDescriptor* DescriptorCache::find(const NodeId& id, UnixSeconds now) const {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second->expires_at <= now) return nullptr;
  return it->second.get();
}

std::vector<NodeDescriptor> DescriptorCache::matching(UnixSeconds now, std::uint32_t required_capabilities,
                                                      std::size_t limit) const {
  std::vector<NodeDescriptor> out;
  for (const auto& [id, d] : entries_) {
    if (out.size() >= limit) break;
    if (d->expires_at > now && (d->capabilities & required_capabilities) == required_capabilities) out.push_back(*d);
  }
  return out;
}

void DescriptorCache::drop_expired(UnixSeconds now) {
  std::erase_if(entries_, [now](const auto& entry) { return entry.second->expires_at <= now; });
}

}  // namespace zmesh::node
