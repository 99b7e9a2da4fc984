// A bounded cache of verified descriptors of other nodes, one per NodeId (the largest sequence
// wins). Callers verify before inserting; the cache only keeps order: expired entries are
// ignored and dropped, and when full the entry that expires soonest makes room. Entries are
// shared with every other holder of the same descriptor in the process (shared_descriptors.hpp).
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "identity/descriptor.hpp"

namespace zmesh::node {

class DescriptorCache {
 public:
  explicit DescriptorCache(std::size_t capacity) : capacity_(capacity) {}

  // Keeps `descriptor` (already verified) unless an entry with a larger or equal sequence is
  // held. Returns whether it was stored.
  bool insert(NodeDescriptor descriptor, UnixSeconds now);
  // Unexpired entry for `id`, or nullptr.
  const NodeDescriptor* find(const NodeId& id, UnixSeconds now) const;
  void erase(const NodeId& id) { entries_.erase(id); }
  // Unexpired entries with every bit of `required_capabilities`, at most `limit`, in NodeId order
  // (so a `limit` below the number held favours low ids: callers that sample should take all).
  std::vector<NodeDescriptor> matching(UnixSeconds now, std::uint32_t required_capabilities, std::size_t limit) const;
  void drop_expired(UnixSeconds now);

  std::size_t size() const { return entries_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::map<NodeId, std::shared_ptr<const NodeDescriptor>> entries_;
};

}  // namespace zmesh::node
