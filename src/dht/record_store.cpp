#include "dht/record_store.hpp"

#include "crypto/hash.hpp"
#include "dht/distance.hpp"
#include "util/interner.hpp"

namespace zmesh::dht {
namespace {

std::string publisher_of(const Record& r) { return std::string(r.publisher_key.begin(), r.publisher_key.end()); }

std::shared_ptr<const Record> share(const Record& record) {
  return Interner<Record>::share(crypto::blake2b_256(record.encode()), record);
}

}  // namespace

void RecordStore::erase(std::map<Slot, Held>::iterator it) {
  bytes_ -= it->second->encoded_size();
  auto pub = per_publisher_.find(it->first.second);
  if (pub != per_publisher_.end() && --pub->second == 0) per_publisher_.erase(pub);
  records_.erase(it);
}

void RecordStore::drop_expired(UnixSeconds now) {
  for (auto it = records_.begin(); it != records_.end();) {
    auto next = std::next(it);
    if (it->second->expires_at <= now) erase(it);
    it = next;
  }
}

bool RecordStore::make_room(const Record& incoming, std::size_t incoming_bytes, UnixSeconds now) {
  auto full = [&] { return records_.size() + 1 > limits_.max_records || bytes_ + incoming_bytes > limits_.max_bytes; };
  if (!full()) return true;
  drop_expired(now);
  while (full()) {
    auto farthest = records_.end();
    for (auto it = records_.begin(); it != records_.end(); ++it) {
      if (farthest == records_.end() || closer_to(self_, farthest->first.first, it->first.first)) farthest = it;
    }
    // Refuse a record that is no closer to us than everything we already hold.
    if (farthest == records_.end() || !closer_to(self_, incoming.key, farthest->first.first)) return false;
    erase(farthest);
  }
  return true;
}

Status RecordStore::put(const Record& record, UnixSeconds now) {
  const std::size_t size = record.encoded_size();
  if (size > limits_.max_bytes) return make_error(Errc::too_large, "record store: record larger than the store");
  Slot slot{record.key, publisher_of(record)};
  auto existing = records_.find(slot);
  if (existing != records_.end()) {
    if (record.sequence < existing->second->sequence) return make_error(Errc::invalid_argument, "record store: older sequence");
    if (record.sequence == existing->second->sequence && record == *existing->second) return {};
    erase(existing);
  } else {
    auto pub = per_publisher_.find(slot.second);
    if (pub != per_publisher_.end() && pub->second >= limits_.max_per_publisher)
      return make_error(Errc::limit_exceeded, "record store: publisher at its limit");
    std::size_t under_key = 0;
    for (auto it = records_.lower_bound(Slot{record.key, std::string()});
         it != records_.end() && it->first.first == record.key; ++it) {
      if (it->second->expires_at > now) ++under_key;
    }
    if (under_key >= limits_.max_per_key) return make_error(Errc::limit_exceeded, "record store: key at its limit");
  }
  if (!make_room(record, size, now)) return make_error(Errc::limit_exceeded, "record store: full of closer records");
  ++per_publisher_[slot.second];
  bytes_ += size;
  records_.emplace(std::move(slot), share(record));
  return {};
}

std::vector<Record> RecordStore::get(const NodeId& key, UnixSeconds now) const {
  std::vector<Record> out;
  for (auto it = records_.lower_bound(Slot{key, std::string()}); it != records_.end() && it->first.first == key; ++it) {
    if (it->second->expires_at > now && out.size() < limits_.max_per_key) out.push_back(*it->second);
  }
  return out;
}

}  // namespace zmesh::dht
