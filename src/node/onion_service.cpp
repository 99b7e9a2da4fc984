#include "node/onion_service.hpp"

#include <algorithm>


namespace zmesh::node {

using onion::CircuitClosed;
using onion::CircuitReady;
using onion::CircuitRole;
using onion::IncomingCircuit;
using onion::RelayMessageReceived;

OnionService::CircuitStreams::CircuitStreams(onion::StreamMuxRole role, const onion::StreamMuxConfig& config)
    : mux(role, onion::kMaxRelayPayloadBytes, config) {}

OnionService::OnionService(const NodeId& self, std::vector<OnionKeyPair> onion_keys, PeerDirectory& directory,
                           RandomSource& random, OnionServiceConfig config)
    : self_(self),
      config_(std::move(config)),
      directory_(directory),
      random_(random),
      relay_(self, config_.relay, random),
      onion_keys_(std::move(onion_keys)) {
  config_.relay.onion_key_grace = config_.key_rotation.grace;
  for (const OnionKeyPair& key : onion_keys_) (void)relay_.add_onion_key(key);
}

OnionService::~OnionService() { alive_.expire(); }

void OnionService::on_attach(ServiceHost& host) { host_ = &host; }

void OnionService::on_peer_up(Now now, const PeerInfo& peer) {
  flush_peer(now, peer.node_id);
  pump(now);
}

void OnionService::on_peer_writable(Now now, const NodeId& peer) {
  flush_peer(now, peer);
  pump(now);
}

void OnionService::on_peer_down(Now now, const NodeId& peer) {
  auto it = queues_.find(peer);
  if (it != queues_.end()) {
    counters_.cells_queued_dropped += it->second.cells.size();
    queues_.erase(it);
  }
  relay_.on_link_down(now, peer);
  pump(now);
}

void OnionService::on_connect_failed(Now now, const NodeId& peer, std::string_view reason) {
  if (queues_.count(peer) != 0) give_up_peer(now, peer, reason);
  pump(now);
}

void OnionService::on_message(Now now, const NodeId& from, ByteView message) {
  const Status status = relay_.on_cell(now, from, message);
  if (!status.ok() && host_ != nullptr) {
    host_->log(log::Level::debug, "onion: bad cell from " + from.short_hex() + ": " + status.error().message);
  }
  pump(now);
}

TimeUs OnionService::next_deadline() const {
  TimeUs deadline = std::min(relay_.next_deadline(), next_retry_);
  deadline = std::min(deadline, next_key_check_);
  for (const auto& [handle, streams] : circuits_) deadline = std::min(deadline, streams.mux.next_deadline());
  if (!fresh_until_.empty()) deadline = std::min(deadline, fresh_until_.begin()->first);
  for (const WaitingStream& w : waiting_) deadline = std::min(deadline, w.deadline);
  for (const auto& [peer, queue] : queues_)
    if (queue.waiting_since != kNever) deadline = std::min(deadline, queue.waiting_since + config_.link_wait_timeout);
  if (pool_active_ && building_ + ready_client_circuits() < wanted_circuits())
    deadline = std::min(deadline, next_build_at_);
  return deadline;
}

void OnionService::on_timeout(Now now) {
  age_circuits(now);
  if (now.mono >= next_retry_) {
    next_retry_ = kNever;
    flush_all_peers(now);
  }
  if (now.mono >= next_key_check_) rotate_keys(now);
  relay_.on_timeout(now);
  expire_link_waits(now);
  expire_waiting(now);
  for (auto& [handle, streams] : circuits_)
    if (streams.mux.next_deadline() <= now.mono) streams.mux.on_timeout(now.mono);
  pump(now);
}

void OnionService::warm_up(Now now) {
  pool_active_ = true;
  pump(now);
}

// Moves everything that is ready: relay events to the stream layer, stream messages into the
// relay, relay cells onto links; repeats while one step produced work for another.
void OnionService::pump(Now now) {
  if (pumping_) return;
  pumping_ = true;
  for (int round = 0; round < 64; ++round) {
    bool progress = false;
    while (auto event = relay_.poll_event()) {
      progress = true;
      handle_relay_event(now, std::move(*event));
    }
    drain_all_muxes(now);
    while (auto cell = relay_.poll_cell()) {
      progress = true;
      send_cell(now, cell->to, std::move(cell->cell));
    }
    if (!progress) break;
  }
  retire_stale_circuits(now);
  maintain_pool(now);
  while (auto cell = relay_.poll_cell()) send_cell(now, cell->to, std::move(cell->cell));
  pumping_ = false;
}

void OnionService::handle_relay_event(Now now, onion::OnionEvent&& event) {
  if (auto* ready = std::get_if<CircuitReady>(&event)) {
    on_circuit_ready(now, ready->circuit);
  } else if (auto* incoming = std::get_if<IncomingCircuit>(&event)) {
    on_incoming_circuit(incoming->circuit);
  } else if (auto* message = std::get_if<RelayMessageReceived>(&event)) {
    on_circuit_message(now, message->circuit, message->payload);
  } else if (auto* closed = std::get_if<CircuitClosed>(&event)) {
    build_started_.erase(closed->circuit);
    if (auto probe = probes_.find(closed->circuit); probe != probes_.end()) {
      ProbeDone done = std::move(probe->second);
      probes_.erase(probe);
      done(make_error(Errc::closed, std::string("probe circuit failed: ") + onion::destroy_reason_name(closed->reason)));
      return;
    }
    if (closed->role == CircuitRole::origin) {
      building_ -= (!closed->was_open && building_ > 0) ? 1 : 0;
      if (!closed->was_open) {
        ++counters_.circuit_build_failures;
        counters_.last_build_error = std::string("setup failed: ") + onion::destroy_reason_name(closed->reason);
        build_backoff_ = std::clamp(build_backoff_ * 2, config_.build_retry_min, config_.build_retry_max);
        next_build_at_ = now.mono + build_backoff_;
      }
    }
    on_circuit_gone(now, closed->circuit);
  }
}

std::size_t OnionService::ready_client_circuits() const {
  std::size_t count = 0;
  for (const auto& [handle, streams] : circuits_)
    if (is_fresh_client(streams)) ++count;
  return count;
}

OnionServiceStatus OnionService::status() const {
  OnionServiceStatus s = counters_;
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
  s.streams = streams_.size();
  s.recent_build_times.assign(build_times_.begin(), build_times_.end());
  s.relay = relay_.stats();
  return s;
}

}  // namespace zmesh::node
