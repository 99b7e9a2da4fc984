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

namespace {

// Grows a bucket's vector in small steps up to its limit: doubling would leave a full bucket
// of k = 20 with room for 32.
void reserve_one_more(std::vector<RoutingEntry>& entries, std::size_t limit) {
  if (entries.size() < entries.capacity()) return;
  entries.reserve(std::max(entries.size() + 1, std::min(limit, std::max<std::size_t>(4, 2 * entries.capacity()))));
}

}  // namespace

bool RoutingTable::prefix_allows(const Bucket& bucket, std::uint32_t prefix) const {
  std::size_t in_bucket = 0, in_table = 0;
  for (const auto& e : bucket.entries) in_bucket += e.prefix == prefix;
  if (in_bucket >= config_.max_per_prefix_in_bucket) return false;
  for (const auto& b : buckets_) {
    for (const auto& e : b.entries) in_table += e.prefix == prefix;
  }
  return in_table < config_.max_per_prefix_in_table;
}

void RoutingTable::insert_entry(Bucket& bucket, RoutingEntry entry) {
  reserve_one_more(bucket.entries, config_.k);
  bucket.entries.push_back(std::move(entry));
  ++size_;
}

void RoutingTable::erase_entry(Bucket& bucket, std::size_t position) {
  if (bucket.probing && *bucket.probing == bucket.entries[position].contact.id) bucket.probing.reset();
  bucket.entries.erase(bucket.entries.begin() + static_cast<std::ptrdiff_t>(position));
  --size_;
}

void RoutingTable::promote_replacement(Bucket& bucket) {
  // Freshest first (§4.1: the most recently seen replacement is the most likely to be alive).
  while (!bucket.replacements.empty() && bucket.entries.size() < config_.k) {
    RoutingEntry candidate = std::move(bucket.replacements.back());
    bucket.replacements.pop_back();
    if (prefix_allows(bucket, candidate.prefix)) {
      insert_entry(bucket, std::move(candidate));
      return;
    }
  }
}

void RoutingTable::cache_replacement(Bucket& bucket, RoutingEntry entry) {
  auto known = std::find_if(bucket.replacements.begin(), bucket.replacements.end(),
                            [&](const RoutingEntry& e) { return e.contact.id == entry.contact.id; });
  if (known != bucket.replacements.end()) bucket.replacements.erase(known);
  if (config_.replacement_cache == 0) return;
  if (bucket.replacements.size() >= config_.replacement_cache) bucket.replacements.erase(bucket.replacements.begin());
  reserve_one_more(bucket.replacements, config_.replacement_cache);
  bucket.replacements.push_back(std::move(entry));
}

ObserveResult RoutingTable::observe(const Contact& contact, TimeUs now, bool may_take_free_slot) {
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
      const std::uint32_t prefix = address_prefix_key(contact.address);
      if (prefix == entry.prefix || prefix_allows(bucket, prefix)) {
        entry.prefix = prefix;
        entry.contact.address = contact.address;
      }
    }
    if (bucket.probing && *bucket.probing == contact.id) bucket.probing.reset();
    bucket.entries.push_back(std::move(entry));
    return {ObserveOutcome::updated, std::nullopt};
  }
  const std::uint32_t prefix = address_prefix_key(contact.address);
  if (!prefix_allows(bucket, prefix)) return {ObserveOutcome::refused_prefix, std::nullopt};
  const bool full = bucket.entries.size() >= config_.k;
  if (!full && may_take_free_slot) {
    insert_entry(bucket, RoutingEntry{contact, now, prefix, 0});
    return {ObserveOutcome::added, std::nullopt};
  }
  // The newcomer waits; if the bucket is full, its oldest contact gets a chance to prove it is alive.
  cache_replacement(bucket, RoutingEntry{contact, now, prefix, 0});
  ObserveResult result{ObserveOutcome::cached, std::nullopt};
  if (full && !bucket.probing && now - bucket.entries.front().last_seen >= config_.probe_if_silent_for) {
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
  // Buckets by how many leading bits their contacts share with `target`: those of bucket b
  // (b = our shared prefix with target) share more than b; those of every deeper bucket exactly
  // b; those of bucket j < b exactly j. So: bucket b, then all deeper ones, then b-1, b-2, ...,
  // sorting only within a group; most calls look at one or two buckets, not the whole table.
  std::vector<Contact> out;
  out.reserve(std::min(count, size_));
  std::vector<const Contact*> group;
  auto take = [&]() {
    const std::size_t n = std::min(count - out.size(), group.size());
    std::partial_sort(group.begin(), group.begin() + static_cast<std::ptrdiff_t>(n), group.end(),
                      [&](const Contact* a, const Contact* b) { return closer_to(target, a->id, b->id); });
    for (std::size_t i = 0; i < n; ++i) out.push_back(*group[i]);
    group.clear();
  };
  auto collect = [&](std::size_t index) {
    if (index >= buckets_.size()) return;
    for (const auto& e : buckets_[index].entries) group.push_back(&e.contact);
  };
  const std::size_t b = bucket_index(target);
  collect(b);
  take();
  for (std::size_t j = b + 1; j < buckets_.size() && out.size() < count; ++j) collect(j);
  if (out.size() < count) take();
  for (std::size_t j = b; j-- > 0 && out.size() < count;) {
    collect(j);
    take();
  }
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
