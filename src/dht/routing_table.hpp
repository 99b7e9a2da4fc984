// The Kademlia routing table (Maymounkov & Mazières 2002, §2.2 and §4.1): 256 k-buckets
// indexed by the length of the prefix a contact shares with us (allocated lazily: with n nodes
// only about log2(n) of them are ever non-empty), each ordered least- to most-recently seen.
//
// Policy, in the paper's words "live nodes are never removed": a full bucket does not take a
// newcomer; instead the caller pings the bucket's oldest contact and keeps it if it answers,
// while the newcomer waits in a bounded replacement cache. Long-lived contacts are thus
// preferred, which is what makes flooding a bucket with fresh Sybils slow (S/Kademlia §4.2).
// Per-network-prefix limits (per bucket and table-wide) stop one subnet from filling the table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "dht/contact.hpp"
#include "runtime/time.hpp"

namespace zmesh::dht {

struct RoutingConfig {
  std::size_t k = 20;                        // bucket size (§2.2; k = 20 as in the paper)
  std::size_t replacement_cache = 10;        // newcomers waiting per bucket
  std::size_t max_per_prefix_in_bucket = 2;  // contacts of one /24 (or /48) per bucket
  std::size_t max_per_prefix_in_table = 10;  // ... and in the whole table
  std::size_t failures_before_eviction = 2;  // consecutive unanswered requests
  // Contacts one lookup may add to any one bucket. A lookup that ran into a colluding cluster
  // meets only its members, and they all answer: without a cap, one such lookup fills a bucket
  // that has room with them, and later lookups through that bucket start inside the cluster.
  std::size_t max_added_per_lookup = 2;
  // A full bucket probes its oldest contact only if we have not heard from it for this long:
  // one heard from recently is known to be alive, and probing it would cost a PING for nearly
  // every new contact met in a lookup (§4.1 likewise defers probes to save traffic).
  DurationUs probe_if_silent_for = 60 * kSecond;
};

// 80 bytes: a 100,000-node simulation holds ~25 million of these.
struct RoutingEntry {
  Contact contact;
  TimeUs last_seen = 0;
  std::uint32_t prefix = 0;    // address_prefix_key(contact.address)
  std::uint32_t failures = 0;  // consecutive unanswered requests
};

enum class ObserveOutcome {
  added,            // a new contact went into its bucket
  updated,          // already known: moved to the most-recently-seen end
  cached,           // bucket full: kept in the replacement cache; ping `probe` if set
  refused_prefix,   // its network prefix is at its limit
  refused_self,     // our own id
};

struct ObserveResult {
  ObserveOutcome outcome;
  // Set when the caller should ping this (the bucket's oldest) contact now: if it answers,
  // call observe() for it; if not, call record_failure() and the newcomer takes its place.
  std::optional<Contact> probe;
};

class RoutingTable {
 public:
  RoutingTable(NodeId self, RoutingConfig config);

  const NodeId& self() const { return self_; }
  const RoutingConfig& config() const { return config_; }

  // We heard directly from `contact` (a request or a matched response). Only direct contact
  // ever enters the table: contacts merely mentioned by others do not (S/Kademlia §4.1).
  // With `may_take_free_slot` false a newcomer waits in the replacement cache even if its
  // bucket has room (DhtNode caps how many contacts one lookup may add to a bucket).
  ObserveResult observe(const Contact& contact, TimeUs now, bool may_take_free_slot = true);
  // `id` did not answer a request. After failures_before_eviction consecutive failures (or at
  // once, if it was a probed oldest contact) it is evicted and the freshest replacement promoted.
  void record_failure(const NodeId& id, bool evict_now = false);
  void remove(const NodeId& id);

  // Up to `count` contacts closest to `target`, closest first.
  std::vector<Contact> closest(const NodeId& target, std::size_t count) const;
  bool contains(const NodeId& id) const;
  std::size_t size() const { return size_; }
  std::size_t replacement_count() const;

  // Buckets 0..bucket_count()-1 are allocated (higher ones are empty).
  std::size_t bucket_count() const { return buckets_.size(); }
  const std::vector<RoutingEntry>& bucket(std::size_t index) const { return buckets_[index].entries; }
  // The time any lookup last went through bucket `index` (refresh bookkeeping, §2.3).
  TimeUs bucket_touched(std::size_t index) const { return buckets_[index].touched; }
  void touch_bucket_of(const NodeId& id, TimeUs now);
  std::size_t bucket_index(const NodeId& id) const;

 private:
  // Vectors, not deques: an empty libstdc++ deque allocates ~600 bytes, and a 100,000-node
  // simulation has ~1.7 million buckets.
  struct Bucket {
    std::vector<RoutingEntry> entries;       // least-recently seen first
    std::vector<RoutingEntry> replacements;  // most-recently seen last
    std::optional<NodeId> probing;           // oldest contact currently being pinged
    TimeUs touched = 0;
  };

  Bucket& bucket_for(const NodeId& id);
  // Per-prefix counts are found by scanning (a table holds a few hundred contacts): cheaper in
  // memory than a map from prefix to count, and only needed when a newcomer arrives.
  bool prefix_allows(const Bucket& bucket, std::uint32_t prefix) const;
  void insert_entry(Bucket& bucket, RoutingEntry entry);
  void erase_entry(Bucket& bucket, std::size_t position);
  void promote_replacement(Bucket& bucket);
  void cache_replacement(Bucket& bucket, RoutingEntry entry);

  NodeId self_;
  RoutingConfig config_;
  std::vector<Bucket> buckets_;
  std::size_t size_ = 0;
};

}  // namespace zmesh::dht
