#include "dht/routing_table.hpp"

#include <algorithm>

#include "dht/distance.hpp"

namespace zmesh::dht {

RoutingTable::RoutingTable(NodeId self, RoutingConfig config) : self_(self), config_(config) {}

std::size_t RoutingTable::bucket_index(const NodeId& id) const {
  const int bits = common_prefix_bits(self_, id);
  return static_cast<std::size_t>(std::min(bits, kIdBits - 1));
}

RoutingTable::Bucket& RoutingTable::bucket_for(const NodeId& id) {
  const std::size_t index = bucket_index(id);
  if (index >= buckets_.size()) buckets_.resize(index + 1);
  return buckets_[index];
}

bool RoutingTable::prefix_allows(const Bucket& bucket, const std::string& prefix) const {
  const auto it = prefix_counts_.find(prefix);
  if (it != prefix_counts_.end() && it->second >= config_.max_per_prefix_in_table) return false;
  std::size_t in_bucket = 0;
  for (const auto& e : bucket.entries) {
    if (address_prefix(e.contact.address) == prefix) ++in_bucket;
  }
  return in_bucket < config_.max_per_prefix_in_bucket;
}

void RoutingTable::insert_entry(Bucket& bucket, RoutingEntry entry) {
  ++prefix_counts_[address_prefix(entry.contact.address)];
  bucket.entries.push_back(std::move(entry));
  ++size_;
}

void RoutingTable::erase_entry(Bucket& bucket, std::size_t position) {
  const std::string prefix = address_prefix(bucket.entries[position].contact.address);
  auto it = prefix_counts_.find(prefix);
  if (it != prefix_counts_.end() && --it->second == 0) prefix_counts_.erase(it);
  if (bucket.probing && *bucket.probing == bucket.entries[position].contact.id) bucket.probing.reset();
  bucket.entries.erase(bucket.entries.begin() + static_cast<std::ptrdiff_t>(position));
  --size_;
}

void RoutingTable::promote_replacement(Bucket& bucket) {
  // Freshest first (§4.1: the most recently seen replacement is the most likely to be alive).
  while (!bucket.replacements.empty() && bucket.entries.size() < config_.k) {
    RoutingEntry candidate = std::move(bucket.replacements.back());
    bucket.replacements.pop_back();
    if (prefix_allows(bucket, address_prefix(candidate.contact.address))) {
      insert_entry(bucket, std::move(candidate));
      return;
    }
  }
}

ObserveResult RoutingTable::observe(const Contact& contact, TimeUs now) {
  if (contact.id == self_) return {ObserveOutcome::refused_self, std::nullopt};
  Bucket& bucket = bucket_for(contact.id);
  for (std::size_t i = 0; i < bucket.entries.size(); ++i) {
    if (bucket.entries[i].contact.id != contact.id) continue;
    RoutingEntry entry = std::move(bucket.entries[i]);
    bucket.entries.erase(bucket.entries.begin() + static_cast<std::ptrdiff_t>(i));
    entry.last_seen = now;
    entry.failures = 0;
    // The address a node uses may change (new IP): keep the one it uses now, within limits.
    if (entry.contact.address != contact.address) {
      const std::string old_prefix = address_prefix(entry.contact.address);
      const std::string new_prefix = address_prefix(contact.address);
      if (old_prefix == new_prefix || prefix_allows(bucket, new_prefix)) {
        if (--prefix_counts_[old_prefix] == 0) prefix_counts_.erase(old_prefix);
        ++prefix_counts_[new_prefix];
        entry.contact.address = contact.address;
      }
    }
    if (bucket.probing && *bucket.probing == contact.id) bucket.probing.reset();
    bucket.entries.push_back(std::move(entry));
    return {ObserveOutcome::updated, std::nullopt};
  }
  const std::string prefix = address_prefix(contact.address);
  if (!prefix_allows(bucket, prefix)) return {ObserveOutcome::refused_prefix, std::nullopt};
  if (bucket.entries.size() < config_.k) {
    insert_entry(bucket, RoutingEntry{contact, now, now, 0});
    return {ObserveOutcome::added, std::nullopt};
  }
  // Full: the newcomer waits; the oldest contact gets a chance to prove it is alive.
  auto known = std::find_if(bucket.replacements.begin(), bucket.replacements.end(),
                            [&](const RoutingEntry& e) { return e.contact.id == contact.id; });
  if (known != bucket.replacements.end()) bucket.replacements.erase(known);
  bucket.replacements.push_back(RoutingEntry{contact, now, now, 0});
  if (bucket.replacements.size() > config_.replacement_cache) bucket.replacements.pop_front();
  ObserveResult result{ObserveOutcome::cached, std::nullopt};
  if (!bucket.probing && now - bucket.entries.front().last_seen >= config_.probe_if_silent_for) {
    bucket.probing = bucket.entries.front().contact.id;
    result.probe = bucket.entries.front().contact;
  }
  return result;
}

void RoutingTable::record_failure(const NodeId& id, bool evict_now) {
  const std::size_t index = bucket_index(id);
  if (index >= buckets_.size()) return;
  Bucket& bucket = buckets_[index];
  for (std::size_t i = 0; i < bucket.entries.size(); ++i) {
    RoutingEntry& entry = bucket.entries[i];
    if (entry.contact.id != id) continue;
    ++entry.failures;
    const bool probed = bucket.probing && *bucket.probing == id;
    if (evict_now || probed || entry.failures >= config_.failures_before_eviction) {
      erase_entry(bucket, i);
      promote_replacement(bucket);
    }
    return;
  }
  auto cached = std::find_if(bucket.replacements.begin(), bucket.replacements.end(),
                             [&](const RoutingEntry& e) { return e.contact.id == id; });
  if (cached != bucket.replacements.end()) bucket.replacements.erase(cached);
}

void RoutingTable::remove(const NodeId& id) {
  const std::size_t index = bucket_index(id);
  if (index >= buckets_.size()) return;
  Bucket& bucket = buckets_[index];
  for (std::size_t i = 0; i < bucket.entries.size(); ++i) {
    if (bucket.entries[i].contact.id == id) {
      erase_entry(bucket, i);
      promote_replacement(bucket);
      return;
    }
  }
}

std::vector<Contact> RoutingTable::closest(const NodeId& target, std::size_t count) const {
  std::vector<const Contact*> all;
  all.reserve(size_);
  for (const auto& bucket : buckets_) {
    for (const auto& e : bucket.entries) all.push_back(&e.contact);
  }
  const std::size_t n = std::min(count, all.size());
  std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n), all.end(),
                    [&](const Contact* a, const Contact* b) { return closer_to(target, a->id, b->id); });
  std::vector<Contact> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(*all[i]);
  return out;
}

bool RoutingTable::contains(const NodeId& id) const {
  const std::size_t index = bucket_index(id);
  if (index >= buckets_.size()) return false;
  for (const auto& e : buckets_[index].entries) {
    if (e.contact.id == id) return true;
  }
  return false;
}

std::size_t RoutingTable::replacement_count() const {
  std::size_t n = 0;
  for (const auto& b : buckets_) n += b.replacements.size();
  return n;
}

void RoutingTable::touch_bucket_of(const NodeId& id, TimeUs now) {
  const std::size_t index = bucket_index(id);
  if (index < buckets_.size()) buckets_[index].touched = now;
}

}  // namespace zmesh::dht
