// The records this node holds for others (§2.3 STORE), bounded three ways: total count, total
// bytes, and records per publisher (one publisher cannot fill the store). When full, the record
// whose key is farthest from our id goes first: we are the least useful holder of that one,
// which mirrors how Kademlia spreads responsibility. Expired records are dropped first.
// A held record is shared with every other holder of the same bytes in the process
// (util/interner.hpp): k replicas of a descriptor in one simulated network are one copy.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dht/record.hpp"

namespace zmesh::dht {

struct StoreLimits {
  std::size_t max_records = 4096;
  std::size_t max_bytes = 8 * 1024 * 1024;
  std::size_t max_per_publisher = 32;
  std::size_t max_per_key = 8;  // distinct publishers under one key (e.g. content providers)
};

class RecordStore {
 public:
  RecordStore(NodeId self, StoreLimits limits) : self_(self), limits_(limits) {}

  // Stores an already validated record. A same-publisher record under the same key is replaced
  // only by a larger sequence. Errc::limit_exceeded when refused for space, Errc::invalid_argument
  // for an older sequence.
  Status put(const Record& record, UnixSeconds now);
  // Unexpired records under `key` (at most max_per_key).
  std::vector<Record> get(const NodeId& key, UnixSeconds now) const;
  void drop_expired(UnixSeconds now);

  std::size_t size() const { return records_.size(); }
  std::size_t bytes() const { return bytes_; }
  const StoreLimits& limits() const { return limits_; }

 private:
  using Slot = std::pair<NodeId, std::string>;  // (key, publisher key bytes)
  using Held = std::shared_ptr<const Record>;
  void erase(std::map<Slot, Held>::iterator it);
  bool make_room(const Record& incoming, std::size_t incoming_bytes, UnixSeconds now);

  NodeId self_;
  StoreLimits limits_;
  std::map<Slot, Held> records_;
  std::unordered_map<std::string, std::size_t> per_publisher_;
  std::size_t bytes_ = 0;
};

}  // namespace zmesh::dht
