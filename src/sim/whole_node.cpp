#include "sim/whole_node.hpp"

#include <cstdlib>

#include "node/onion_key_rotation.hpp"
#include "sim/sim_clock.hpp"

namespace zmesh::sim {
namespace {

node::DhtServiceConfig dht_config(const WholeNodeConfig& config) {
  node::DhtServiceConfig c = config.dht;
  if (config.exit) c.capabilities |= capability::exit;
  return c;
}

node::OnionServiceConfig onion_config(const WholeNodeConfig& config) {
  node::OnionServiceConfig c = config.onion;
  c.accept_streams = config.exit;
  if (!config.client) c.ready_circuits = 0;  // a pure relay never builds circuits of its own
  return c;
}

node::NodeConfig core_config(const WholeNodeConfig& config, const WholeNodeContext& context) {
  node::NodeConfig c = config.node;
  c.peers = context.seed_urls;
  return c;
}

void must(const Status& status) {
  if (!status.ok()) std::abort();  // a service that does not attach is a programming error
}

}  // namespace

void NodeServiceTotals::add(const NodeServiceTotals& o) {
  circuits_built += o.circuits_built;
  circuit_build_failures += o.circuit_build_failures;
  dht_operations += o.dht_operations;
  dht_operations_ok += o.dht_operations_ok;
  descriptor_publishes += o.descriptor_publishes;
  relay_cells += o.relay_cells;
  links_opened += o.links_opened;
  links_failed += o.links_failed;
  handshake_failures += o.handshake_failures;
  refused_peer_limit += o.refused_peer_limit;
  unused_links_closed += o.unused_links_closed;
  if (!o.last_build_error.empty()) last_build_error = o.last_build_error;
}

WholeNode::WholeNode(const WholeNodeContext& context, const WholeNodeConfig& config)
    : keys_(context.keys),
      tally_(context.tally),
      ping_(config.ping),
      health_(context.random, config.health),
      dht_(std::make_unique<node::DhtService>(keys_.identity, keys_.onion_keys, context.random, dht_config(config))),
      onion_(std::make_unique<node::OnionService>(keys_.identity.id, node::clone_onion_keys(keys_.onion_keys), *dht_,
                                                  context.random, onion_config(config))),
      core_(std::make_unique<node::NodeCore>(keys_.identity, context.random, core_config(config, context))),
      workload_(*onion_, tally_.streams),
      client_(config.client) {
  dht_->set_listen_urls({context.listen_url});
  // As NodeRuntime does: rotated keys go to the key file and into a republished descriptor.
  onion_->on_onion_keys_changed([this](Now now, const std::vector<OnionKeyPair>& keys) {
    keys_.onion_keys = node::clone_onion_keys(keys);
    (void)dht_->republish_descriptor(now);
  });
  must(core_->add_service(ping_));
  must(core_->add_service(health_));
  must(core_->add_service(*dht_));
  must(core_->add_service(descriptor_exchange_));  // after the DHT: it signs our descriptor first
  must(core_->add_service(*onion_));
  for (const auto& factory : config.extra_services) {
    if (auto service = factory(context)) {
      must(core_->add_service(*service));
      extra_.push_back(std::move(service));
    }
  }
}

WholeNode::~WholeNode() {
  core_.reset();  // before the services it calls
}

void WholeNode::start(Now now) {
  core_->on_start(now);
  if (client_) onion_->warm_up(now);
}

void WholeNode::lookup(Now now, const NodeId& target) {
  NodeTally* tally = &tally_;  // outlives the node (the simulator keeps it)
  dht_->lookup_descriptor(now, target, [tally, target](Now, Result<NodeDescriptor> result) {
    if (result.ok() && result->node_id == target) {
      ++tally->lookups_ok;
    } else {
      ++tally->lookups_failed;
      tally->last_lookup_failure = result.ok() ? "answer for another node" : result.error().describe();
    }
  });
}

NodeServiceTotals WholeNode::totals() const {
  NodeServiceTotals t;
  const node::OnionServiceStatus onion = onion_->status();
  t.circuits_built = onion.circuits_built;
  t.circuit_build_failures = onion.circuit_build_failures;
  t.last_build_error = onion.last_build_error;
  t.relay_cells = onion.relay.relay_messages_sent;
  const node::DhtServiceStats dht = dht_->stats();
  t.dht_operations = dht.lookups_started;
  t.dht_operations_ok = dht.lookups_succeeded;
  t.descriptor_publishes = dht.descriptor_publishes;
  const node::NodeCounters& c = core_->counters();
  t.links_opened = c.links_opened;
  t.links_failed = c.links_failed;
  t.handshake_failures = c.handshake_failures;
  t.refused_peer_limit = c.refused_peer_limit;
  t.unused_links_closed = c.unused_links_closed;
  return t;
}

}  // namespace zmesh::sim
