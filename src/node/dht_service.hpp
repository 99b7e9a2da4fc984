// DhtService: the Kademlia DHT (src/dht) as a node service on link channel 2, and the node's
// PeerDirectory. It
//   - adapts DhtNode to NodeCore: a PeerHandle per NodeId, the NodeId the link proved as the
//     sender's identity, contacts dialled on demand through the node's LinkManager (dht_peer_book);
//   - publishes this node's signed descriptor under its NodeId (descriptor_record.hpp), and a
//     new one before it expires or when republish_descriptor() is called (keys or addresses
//     changed);
//   - joins the DHT through the first peers whose links come up (the configured --peer seeds),
//     and again later if that found nobody;
//   - keeps a bounded cache of verified descriptors of other nodes, filled by lookups and by
//     fetching the descriptor of every peer that links to us, and answers PeerDirectory from it.
// Sans-IO: time comes in through the Service callbacks and the commands' `now` (its wall clock
// judges descriptors' expiry).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dht/dht_node.hpp"
#include "identity/identity.hpp"
#include "node/channels.hpp"
#include "node/descriptor_cache.hpp"
#include "node/descriptor_record.hpp"
#include "node/dht_peer_book.hpp"
#include "node/peer_directory.hpp"
#include "node/service.hpp"

namespace zmesh::node {

// The DHT as a node runs it over links. Every contact a lookup asks costs a link handshake
// (post-quantum, ~20 KB with both descriptors), so joining is one lookup of our own id, as
// BitTorrent's DHT bootstraps (BEP 5), without Kademlia's extra lookup per bucket farther than
// our nearest neighbour (§2.3): at 1,000 simulated nodes those lookups doubled the links and
// the CPU of a join (docs/simulator.md). Far buckets fill from the nodes that contact us and
// from the hourly refresh of idle buckets.
inline dht::DhtConfig node_dht_config() {
  dht::DhtConfig config;
  config.refresh_on_join = false;
  return config;
}

struct DhtServiceConfig {
  dht::DhtConfig dht = node_dht_config();
  std::uint32_t capabilities = capability::relay | capability::dht;
  std::uint32_t bandwidth_kib_per_s = 0;
  UnixSeconds descriptor_lifetime = kDefaultDescriptorLifetime;
  // A fresh descriptor is published once this share of the current one's lifetime has passed,
  // so holders never serve an expired one while we are alive.
  double republish_after = 0.5;
  std::size_t max_cached_descriptors = 1024;
  // known_descriptors() returns at most this many. As large as the cache: path selection must
  // see every relay it knows, since a cut would keep the lowest NodeIds, which anyone can grind.
  std::size_t max_known_descriptors = 1024;
  std::size_t max_finds = 64;                // descriptor lookups waiting for the network
  std::size_t max_fetches = 4;               // background fetches of peers' descriptors at once
  std::size_t max_fetch_queue = 256;         // peers waiting for such a fetch
  DurationUs join_retry = 30 * kSecond;      // join again after an attempt that found nobody
  // The directory also learns the descriptors of routing-table contacts (not only of linked
  // peers): every interval, up to this many contacts without a cached descriptor are fetched.
  DurationUs directory_refresh_interval = 60 * kSecond;
  std::size_t directory_fetches_per_refresh = 16;
  std::size_t max_join_seeds = 8;
  // A peer that links to us sends its descriptor over the link (descriptor_exchange.hpp); only
  // if none has arrived after this long do we look it up in the DHT.
  DurationUs linked_descriptor_wait = 5 * kSecond;
  DhtPeerLimits peers;
};

struct DhtServiceStats {
  bool joined = false;
  std::size_t routing_table_size = 0;
  std::size_t records_stored = 0;
  std::size_t descriptors_cached = 0;
  std::uint64_t lookups_started = 0;      // DHT operations of every kind
  std::uint64_t lookups_succeeded = 0;
  std::uint64_t descriptor_finds = 0;     // find_descriptor / lookup_descriptor that went to the network
  std::uint64_t descriptors_found = 0;
  std::uint64_t descriptors_refused = 0;  // records whose descriptor failed verify_for
  std::uint64_t descriptor_publishes = 0;
  std::uint64_t messages_dropped = 0;     // no handle could be given to their sender
};

enum class OfferOutcome : std::uint8_t { accepted, not_newer, refused };

class DhtService final : public Service, public PeerDirectory {
 public:
  // `identity` and `onion_keys` are read at each (re)publication and must outlive the service
  // (NodeRuntime passes its NodeKeys' members); `random` likewise.
  DhtService(const NodeIdentity& identity, const std::vector<OnionKeyPair>& onion_keys, RandomSource& random,
             DhtServiceConfig config);
  ~DhtService() override;

  // The dialable URLs to advertise ("tcp://127.0.0.1:4433"), before the node starts. A later
  // change is published at the service's next timer (next_deadline() becomes due at once); the
  // DHT contact address, in every message we send, stays the one chosen at the start.
  void set_listen_urls(std::vector<std::string> urls);
  // Signs and publishes a fresh descriptor now (call after onion-key rotation or an address
  // change). Errors: no usable onion key, descriptor too large, DHT operation limit.
  Status republish_descriptor(Now now);
  // Always asks the DHT (a record we hold ourselves answers at once), never the cache; the
  // verified result also lands in the cache. `done` exactly once, possibly before returning.
  void lookup_descriptor(Now now, const NodeId& id, DescriptorCallback done);

  const NodeDescriptor* own_descriptor() const { return own_ ? &*own_ : nullptr; }
  // A descriptor that `from` sent us itself (descriptor_exchange.hpp): cached when it passes
  // verify_for(from, now) and is newer than the one we hold (not_newer costs no signature check).
  OfferOutcome offer_descriptor(Now now, const NodeId& from, NodeDescriptor descriptor);
  DhtServiceStats stats() const;
  const DhtPeerCounters& peer_counters() const { return peers_.counters(); }
  const dht::DhtNode* dht() const { return dht_.get(); }

  // --- Service ---
  link::Channel channel() const override { return kChannelDht; }
  const char* name() const override { return "dht"; }
  void on_attach(ServiceHost& host) override;
  void on_peer_up(Now now, const PeerInfo& peer) override;
  void on_peer_down(Now now, const NodeId& peer) override;
  void on_message(Now now, const NodeId& from, ByteView message) override;
  void on_peer_unreachable(Now now, const NodeId& peer, std::string_view why) override;
  TimeUs next_deadline() const override;
  void on_timeout(Now now) override;

  // --- PeerDirectory ---
  const NodeDescriptor* descriptor(const NodeId& id, UnixSeconds now) const override;
  void find_descriptor(Now now, const NodeId& id, DescriptorCallback done) override;
  std::vector<NodeDescriptor> known_descriptors(UnixSeconds now, std::uint32_t required_capabilities) const override;

 private:
  void ensure_started(Now now);
  // Starts queued fetches and sends what DhtNode queued. After every call into it.
  void after_dht(Now now);
  void start_join(Now now);
  void joined(Now now, const dht::LookupResult& result);
  void queue_fetch(const NodeId& id);
  void refresh_directory(Now now);
  void run_fetches(Now now);
  // The newest record of `id` that passes verify_for(id, now), cached; nullopt if none.
  std::optional<NodeDescriptor> accept_records(const NodeId& id, const std::vector<dht::Record>& records, Now now);
  Result<dht::Record> sign_own(Now now);

  const NodeIdentity& identity_;
  const std::vector<OnionKeyPair>& onion_keys_;
  RandomSource& random_;
  DhtServiceConfig config_;
  DescriptorRecordVerifier verifier_;
  DhtPeerBook peers_;
  ServiceHost* host_ = nullptr;
  std::unique_ptr<dht::DhtNode> dht_;  // created at the first event (the contact needs the URLs)
  std::vector<std::string> listen_urls_;
  std::optional<NodeDescriptor> own_;
  std::uint64_t announced_sequence_ = 0;  // of the descriptor the last join announces
  TimeUs republish_at_ = kNever;
  std::set<NodeId> up_;
  bool joining_ = false;
  bool joined_ = false;
  TimeUs join_retry_at_ = kNever;
  TimeUs directory_refresh_at_ = kNever;
  std::deque<NodeId> fetch_queue_;
  std::set<NodeId> fetching_;
  std::map<NodeId, int> fetch_attempts_;               // failed fetches of a peer's descriptor
  std::set<std::pair<TimeUs, NodeId>> fetch_retries_;  // (when, peer): bounded by the fetch attempts
  std::size_t finds_in_flight_ = 0;
  DescriptorCache cache_;
  DhtServiceStats counters_;
};

}  // namespace zmesh::node
