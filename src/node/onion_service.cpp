#include "node/onion_service.hpp"
#include "node/link_manager.hpp"

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

void OnionService::send_cell(Now now, const NodeId& to, const Bytes& cell) {
  if (host_ == nullptr) return;
  (void)host_->links().send(now, to, kChannelOnion, cell, DialVia{{}, &directory_});
}

void OnionService::on_message(Now now, const NodeId& from, ByteView message) {
  const Status status = relay_.on_cell(now, from, message);
  if (!status.ok() && host_ != nullptr) {
    host_->log(log::Level::debug, "onion: bad cell from " + from.short_hex() + ": " + status.error().message);
  }
  run(now);
}

TimeUs OnionService::next_deadline() const {
  TimeUs deadline = std::min({relay_.next_deadline(), next_retry_, next_key_check_});
  if (!mux_deadlines_.empty()) deadline = std::min(deadline, mux_deadlines_.begin()->first);
  if (!fresh_until_.empty()) deadline = std::min(deadline, fresh_until_.begin()->first);
  // Streams wait in the order they were opened, all for the same connect_timeout.
  if (!waiting_.empty()) deadline = std::min(deadline, waiting_.front().deadline);
  if (pool_active_ && building_ + ready_client_circuits() < wanted_circuits())
    deadline = std::min(deadline, next_build_at_);
  return deadline;
}

void OnionService::on_timeout(Now now) {
  age_circuits(now);
  if (now.mono >= next_retry_) {
    next_retry_ = kNever;
    for (onion::CircuitHandle handle : held_)
      if (auto it = circuits_.find(handle); it != circuits_.end()) mark_dirty(handle, it->second);
  }
  if (now.mono >= next_key_check_) rotate_keys(now);
  relay_.on_timeout(now);
  expire_waiting(now);
  std::vector<onion::CircuitHandle> due;  // only the muxes due; each rearms when drained
  for (auto it = mux_deadlines_.begin(); it != mux_deadlines_.end() && it->first <= now.mono; ++it)
    due.push_back(it->second);
  for (onion::CircuitHandle handle : due) {
    auto it = circuits_.find(handle);
    if (it == circuits_.end()) continue;
    it->second.mux.on_timeout(now.mono);
    mark_dirty(handle, it->second);
  }
  run(now);
}

void OnionService::warm_up(Now now) {
  pool_active_ = true;
  run(now);
}

// Moves the work this event produced, and only it: relay events to the muxes they concern,
// the muxes marked dirty into the relay, the relay's cells onto links. Each step may give the
// others work (a cell that cannot be sent fails circuits: events), so it loops until every
// list is empty; there is no round limit because each list only holds work that exists.
// Re-entry (a PeerDirectory answering inside send_cell calls run) just takes items early.
void OnionService::run(Now now) {
  while (true) {
    bool progress = false;
    while (auto event = relay_.poll_event()) {
      progress = true;
      handle_relay_event(now, std::move(*event));
    }
    progress = drain_dirty(now) || progress;
    while (auto cell = relay_.poll_cell()) {
      progress = true;
      send_cell(now, cell->to, std::move(cell->cell));
    }
    if (!progress) break;
  }
  retire_stale_circuits(now);
  maintain_pool(now);
  while (auto cell = relay_.poll_cell()) send_cell(now, cell->to, std::move(cell->cell));
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

// A mux that fails closes its circuit at once (on_circuit_message), so the fresh set is exactly
// the fresh client circuits.
std::size_t OnionService::ready_client_circuits() const { return fresh_until_.size(); }

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
  if (host_ != nullptr) {
    const LinkManagerCounters& links = host_->links().counters();
    s.cells_queued_dropped = links.dropped;
    s.links_dialled = links.dials;
    s.descriptor_misses = links.descriptor_misses;
  }
  return s;
}

}  // namespace zmesh::node
