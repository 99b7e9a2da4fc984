#include "node/shared_descriptors.hpp"

#include <map>
#include <mutex>

#include "crypto/hash.hpp"

namespace zmesh::node {
namespace {

struct Table {
  std::mutex mutex;
  std::map<crypto::Hash256, std::weak_ptr<const NodeDescriptor>> entries;
};

Table& table() {
  static Table* instance = new Table;  // never destroyed: holders may outlive static destruction
  return *instance;
}

}  // namespace

std::shared_ptr<const NodeDescriptor> share_descriptor(NodeDescriptor descriptor) {
  const crypto::Hash256 key = crypto::blake2b_256(descriptor.encode());
  Table& t = table();
  std::lock_guard lock(t.mutex);
  auto it = t.entries.find(key);
  if (it != t.entries.end()) {
    if (auto alive = it->second.lock()) return alive;
  }
  // The deleter removes the entry, unless a newer copy of the same bytes took it meanwhile.
  std::shared_ptr<const NodeDescriptor> copy(new NodeDescriptor(std::move(descriptor)), [key](const NodeDescriptor* d) {
    Table& tt = table();
    {
      std::lock_guard lock(tt.mutex);
      auto entry = tt.entries.find(key);
      if (entry != tt.entries.end() && entry->second.expired()) tt.entries.erase(entry);
    }
    delete d;
  });
  t.entries[key] = copy;
  return copy;
}

std::size_t shared_descriptor_count() {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  return t.entries.size();
}

}  // namespace zmesh::node
