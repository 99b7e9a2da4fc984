// One complete simulated node: what `zmesh node` runs, minus sockets. An identity (kept across
// restarts like a key file), a NodeCore with real link handshakes, and the services of a real
// node — PingService, DhtService (Kademlia and the PeerDirectory, descriptor advertising the
// node's mem:// URL), OnionService (every node relays; exits accept streams; clients keep a
// pool of circuits) — plus the stream workload that plays the exit's "internet" and the
// client's application (stream_workload.hpp), and any extra services (the health hook below).
//
// Driving it: NodeSimulator (node_simulator.hpp) builds it when the node starts, hands
// core() every transport event and timer, drains core().poll_action() and calls poll() after
// each event, exactly as src/app/node_runtime.cpp drives a real node.
//
// Not for: sockets, clocks (time comes from the simulator), choosing when to do things (the
// scenario, whole_node_scenario.hpp, schedules streams and lookups with NodeSimulator::at).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "identity/identity.hpp"
#include "node/descriptor_exchange.hpp"
#include "node/dht_service.hpp"
#include "node/health_service.hpp"
#include "node/node_core.hpp"
#include "node/onion_service.hpp"
#include "node/ping_service.hpp"
#include "sim/stream_workload.hpp"

namespace zmesh::sim {

using NodeIndex = std::uint32_t;

// What one node did, kept by the simulator across the node's crashes and restarts.
struct NodeTally {
  StreamCounters streams;
  std::uint64_t lookups_ok = 0;      // descriptor lookups (lookup()) that found a verified descriptor
  std::uint64_t lookups_failed = 0;
  std::string last_lookup_failure;   // the error of the latest failed lookup
};

// Everything a WholeNode is built from.
struct WholeNodeContext {
  NodeIndex index = 0;
  std::uint32_t incarnation = 0;  // 0 at the first start, +1 per restart
  RandomSource& random;           // the node's own stream (carries on across restarts)
  NodeKeys& keys;                 // its key file: identity and onion keys (rotation writes back)
  NodeTally& tally;
  std::string listen_url;         // "mem://INDEX"
  std::vector<std::string> seed_urls;  // configured peers: the DHT joins through them
};

struct WholeNodeConfig {
  node::NodeConfig node;          // `peers` is replaced by the node's seed URLs
  node::DhtServiceConfig dht;
  node::OnionServiceConfig onion; // accept_streams follows `exit`
  node::PingConfig ping;
  node::HealthConfig health;
  bool exit = false;              // advertises capability::exit and answers streams
  bool client = false;            // warms up a circuit pool at start
  // More services for every node built from this config (an experiment, an attacker's),
  // attached after the built-in ones. A factory may return nullptr to skip a node. The service
  // lives exactly as long as the node's core.
  using ServiceFactory = std::function<std::unique_ptr<node::Service>(const WholeNodeContext&)>;
  std::vector<ServiceFactory> extra_services;
};

// Counters of one node's services, summed by the simulator over a run.
struct NodeServiceTotals {
  std::uint64_t circuits_built = 0;
  std::uint64_t circuit_build_failures = 0;
  std::uint64_t dht_operations = 0;
  std::uint64_t dht_operations_ok = 0;
  std::uint64_t descriptor_publishes = 0;
  std::uint64_t relay_cells = 0;       // relay messages sent by the onion relay
  std::uint64_t links_opened = 0;
  std::uint64_t links_failed = 0;
  std::uint64_t handshake_failures = 0;
  std::uint64_t refused_peer_limit = 0;  // links refused because a node had max_peers peers
  std::uint64_t unused_links_closed = 0;
  std::string last_build_error;          // of some node whose circuit build failed
  void add(const NodeServiceTotals& other);
};

class WholeNode {
 public:
  // Builds and attaches every service; aborts on a configuration error (programming error).
  WholeNode(const WholeNodeContext& context, const WholeNodeConfig& config);
  ~WholeNode();
  WholeNode(const WholeNode&) = delete;
  WholeNode& operator=(const WholeNode&) = delete;

  void start(Now now);
  // Application work after an event: true when it called into a service (actions may wait).
  bool poll(Now now) { return workload_.poll(now); }

  // Commands (from a scenario step).
  Status open_stream(Now now, const StreamSpec& spec) { return workload_.open(now, spec); }
  void lookup(Now now, const NodeId& target);

  node::NodeCore& core() { return *core_; }
  const node::NodeCore& core() const { return *core_; }
  node::DhtService& dht() { return *dht_; }
  node::OnionService& onion() { return *onion_; }
  node::PingService& ping() { return ping_; }
  node::HealthService& health() { return health_; }
  const StreamWorkload& workload() const { return workload_; }
  const NodeId& id() const { return keys_.identity.id; }
  NodeServiceTotals totals() const;

 private:
  NodeKeys& keys_;
  NodeTally& tally_;
  // Services before the core: the core is destroyed first and never calls a dead service.
  node::PingService ping_;
  node::HealthService health_;
  std::unique_ptr<node::DhtService> dht_;
  node::DescriptorExchange descriptor_exchange_{*dht_};
  std::unique_ptr<node::OnionService> onion_;
  std::vector<std::unique_ptr<node::Service>> extra_;
  std::unique_ptr<node::NodeCore> core_;
  StreamWorkload workload_;
  bool client_ = false;
};

}  // namespace zmesh::sim
