// OnionService: wiring the relay, the circuit pool, the stream router and the link manager;
// the pass every event ends with; status.
#include "node/onion_service.hpp"

#include <algorithm>

#include "node/link_manager.hpp"

namespace zmesh::node {

using onion::CircuitClosed;
using onion::CircuitHandle;
using onion::CircuitReady;
using onion::CircuitRole;
using onion::IncomingCircuit;
using onion::RelayMessageReceived;

namespace {

CircuitPoolConfig pool_config(const OnionServiceConfig& config) {
  CircuitPoolConfig pool;
  pool.hops = config.hops;
  pool.ready_circuits = config.ready_circuits;
  pool.circuit_fresh_for = config.circuit_fresh_for;
  pool.build_backoff.initial_delay = config.build_retry_min;
  pool.build_backoff.max_delay = config.build_retry_max;
  return pool;
}

StreamRouterConfig router_config(const OnionServiceConfig& config) {
  StreamRouterConfig router;
  router.streams = config.streams;
  router.max_waiting_streams = config.max_waiting_streams;
  router.accept_streams = config.accept_streams;
  router.send_retry_interval = config.send_retry_interval;
  return router;
}

}  // namespace

OnionService::OnionService(const NodeId& self, std::vector<OnionKeyPair> onion_keys, PeerDirectory& directory,
                           RandomSource& random, OnionServiceConfig config)
    : self_(self),
      config_(std::move(config)),
      directory_(directory),
      random_(random),
      relay_(self, config_.relay, random),
      pool_(self, directory, random, relay_, pool_config(config_)),
      router_(relay_, router_config(config_)),
      onion_keys_(std::move(onion_keys)) {
  config_.relay.onion_key_grace = config_.key_rotation.grace;
  for (const OnionKeyPair& key : onion_keys_) (void)relay_.add_onion_key(key);
}

OnionService::~OnionService() = default;

void OnionService::on_attach(ServiceHost& host) { host_ = &host; }

void OnionService::on_peer_down(Now now, const NodeId& peer) {
  relay_.on_link_down(now, peer);
  run(now);
}

// Every circuit through a next hop we cannot reach fails (CircuitClosed), never silently.
void OnionService::on_peer_unreachable(Now now, const NodeId& peer, std::string_view why) {
  if (host_ != nullptr) host_->log(log::Level::info, "onion: cannot reach " + peer.short_hex() + ": " + std::string(why));
  relay_.on_link_down(now, peer);
  run(now);
}

void OnionService::on_message(Now now, const NodeId& from, ByteView message) {
  const Status status = relay_.on_cell(now, from, message);
  if (!status.ok() && host_ != nullptr) {
    host_->log(log::Level::debug, "onion: bad cell from " + from.short_hex() + ": " + status.error().message);
  }
  run(now);
}

TimeUs OnionService::next_deadline() const {
  return std::min({relay_.next_deadline(), next_key_check_, router_.next_deadline(), pool_.next_deadline(router_.waiting())});
}

void OnionService::on_timeout(Now now) {
  pool_.age(now);
  if (now.mono >= next_key_check_) rotate_keys(now);
  relay_.on_timeout(now);
  router_.on_timeout(now);
  run(now);
}

void OnionService::warm_up(Now now) {
  pool_.activate();
  run(now);
}

void OnionService::new_circuits(Now now) {
  pool_.retire_fresh();  // an inactive pool (a relay without SOCKS) has none and stays inactive
  run(now);
}

Status OnionService::build_probe_circuit(Now now, ProbeDone done) {
  ZM_CHECK(pool_.build_probe(now, std::move(done)));
  run(now);
  return {};
}

// Moves the work this event produced, and only it: relay events to the pool and the router,
// the router's dirty muxes into the relay, the relay's cells onto links. Each step may give
// the others work (a cell that cannot be sent fails circuits: events), so it loops until every
// list is empty; there is no round limit because each list only holds work that exists.
void OnionService::run(Now now) {
  while (true) {
    bool progress = false;
    while (auto event = relay_.poll_event()) {
      progress = true;
      handle_relay_event(now, std::move(*event));
    }
    progress = router_.drain(now) || progress;
    while (auto cell = relay_.poll_cell()) {
      progress = true;
      send_cell(now, cell->to, cell->cell);
    }
    if (!progress) break;
  }
  for (CircuitHandle circuit : pool_.take_retirable([this](CircuitHandle h) { return router_.busy(h); }))
    close_circuit(now, circuit);
  pool_.maintain(now, router_.waiting());
  while (auto cell = relay_.poll_cell()) send_cell(now, cell->to, cell->cell);
}

void OnionService::handle_relay_event(Now now, onion::OnionEvent&& event) {
  if (auto* ready = std::get_if<CircuitReady>(&event)) {
    if (pool_.on_ready(now, ready->circuit)) {
      router_.add_circuit(ready->circuit, onion::StreamMuxRole::client);
      attach_waiting(now);
    }
  } else if (auto* incoming = std::get_if<IncomingCircuit>(&event)) {
    router_.add_circuit(incoming->circuit, onion::StreamMuxRole::exit);
  } else if (auto* message = std::get_if<RelayMessageReceived>(&event)) {
    // The other end broke the stream protocol: its streams are reset; the circuit goes too.
    if (!router_.on_circuit_message(now, message->circuit, message->payload).ok()) close_circuit(now, message->circuit);
  } else if (auto* closed = std::get_if<CircuitClosed>(&event)) {
    pool_.on_closed(now, *closed);
    router_.remove_circuit(now, closed->circuit);
  }
}

void OnionService::close_circuit(Now now, CircuitHandle circuit) {
  relay_.close_circuit(now, circuit);
  pool_.forget(circuit);
  router_.remove_circuit(now, circuit);
}

void OnionService::send_cell(Now now, const NodeId& to, const Bytes& cell) {
  if (host_ == nullptr) return;
  (void)host_->links().send(now, to, kChannelOnion, cell, DialVia{{}, &directory_});
}

CircuitHandle OnionService::pick_circuit() const {
  return pool_.pick([this](CircuitHandle h) { return router_.load(h); }, config_.streams.max_streams);
}

void OnionService::attach_waiting(Now now) {
  router_.attach_waiting(now, [this] { return pick_circuit(); });
}

std::size_t OnionService::ready_client_circuits() const { return pool_.fresh_count(); }

OnionServiceStatus OnionService::status() const {
  OnionServiceStatus s;
  relay_.circuits().for_each([&](const onion::Circuit& c) {
    switch (c.role) {
      case CircuitRole::origin:
        ++s.circuits_origin;
        if (c.open) ++s.circuits_origin_open;
        break;
      case CircuitRole::middle: ++s.circuits_middle; break;
      case CircuitRole::last_hop: ++s.circuits_last_hop; break;
    }
  });
  s.streams = router_.stream_count();
  s.circuits_built = pool_.counters().circuits_built;
  s.circuit_build_failures = pool_.counters().build_failures;
  s.last_build_error = pool_.counters().last_build_error;
  s.recent_build_times.assign(pool_.build_times().begin(), pool_.build_times().end());
  s.streams_opened = router_.counters().streams_opened;
  s.streams_incoming = router_.counters().streams_incoming;
  s.key_rotations = key_rotations_;
  s.relay = relay_.stats();
  if (host_ != nullptr) {
    const LinkManagerCounters& links = host_->links().counters();
    s.cells_queued_dropped = links.dropped;
    s.links_dialled = links.dials;
    s.descriptor_misses = links.descriptor_misses;
  }
  return s;
}

}  // namespace zmesh::node
