// OnionRelay: dispatch of incoming cells, middle-hop relaying, teardown, timers and keys.
// The setup path is in onion_relay_setup.cpp, the endpoints (client, last hop) in
// onion_relay_endpoint.cpp.
#include "onion/onion_relay.hpp"

#include <algorithm>
#include <limits>

#include "onion/layered_cell.hpp"

namespace zmesh::onion {

OnionRelay::OnionRelay(const NodeId& self, OnionRelayConfig config, RandomSource& random)
    : self_(self), config_(config), random_(random), table_(config.limits), routing_scratch_(kRoutingBytes) {}

// --- onion keys ---

Status OnionRelay::add_onion_key(const OnionKeyPair& key) {
  const OnionKeyId id = key.id();
  for (const OnionKeyEntry& entry : keys_)
    if (entry.id == id) return make_error(Errc::invalid_argument, "onion key " + id.hex() + " is already held");
  if (keys_.size() >= kMaxOnionKeys) return make_error(Errc::limit_exceeded, "too many onion keys");
  OnionKeyPair copy{crypto::HybridKemKeyPair{key.keys.public_key, key.keys.mlkem_secret.clone(), key.keys.x25519_secret.clone()},
                    key.valid_from, key.valid_until};
  keys_.push_back(OnionKeyEntry{std::move(copy), id, ReplayCache(config_.replay_tags_per_key)});
  next_key_expiry_ = std::numeric_limits<TimeUs>::min();  // a timeout at once works out its expiry on `mono`
  return {};
}

void OnionRelay::retire_onion_key(const OnionKeyId& id) {
  keys_.erase(std::remove_if(keys_.begin(), keys_.end(), [&](const OnionKeyEntry& entry) { return entry.id == id; }),
              keys_.end());
}

std::size_t OnionRelay::replay_tags(const OnionKeyId& id) const {
  for (const OnionKeyEntry& entry : keys_)
    if (entry.id == id) return entry.replays.size();
  return 0;
}

TimeUs OnionRelay::later(TimeUs t, DurationUs delta) {
  constexpr TimeUs kMax = std::numeric_limits<TimeUs>::max();
  constexpr TimeUs kMin = std::numeric_limits<TimeUs>::min();
  if (delta > 0 && t > kMax - delta) return kMax;
  if (delta < 0 && t < kMin - delta) return kMin;
  return t + delta;
}

void OnionRelay::expire_keys(Now now) {
  const UnixSeconds unix_time = now.unix_seconds();
  keys_.erase(std::remove_if(keys_.begin(), keys_.end(),
                             [&](const OnionKeyEntry& entry) {
                               return unix_time >= entry.pair.valid_until + config_.onion_key_grace;
                             }),
              keys_.end());
  next_key_expiry_ = kNever;
  constexpr UnixSeconds kLatest = static_cast<UnixSeconds>(std::numeric_limits<TimeUs>::max() / kSecond) - 1;
  for (const OnionKeyEntry& entry : keys_) {
    const UnixSeconds expiry = entry.pair.valid_until + config_.onion_key_grace;
    if (expiry >= kLatest) continue;
    const TimeUs delta_us = (static_cast<TimeUs>(expiry) - static_cast<TimeUs>(unix_time)) * kSecond;
    next_key_expiry_ = std::min(next_key_expiry_, later(now.mono, std::max<TimeUs>(delta_us, 0)));
  }
}

// --- timers ---

TimeUs OnionRelay::next_deadline() const {
  return std::min(table_.next_setup_deadline(), next_key_expiry_);
}

void OnionRelay::on_timeout(Now now) {
  expire_keys(now);
  for (CircuitHandle handle : table_.setups_expired(now.mono))
    if (Circuit* circuit = table_.find(handle)) destroy(*circuit, DestroyReason::timeout, true, true);
}

// --- cells in ---

Status OnionRelay::on_cell(Now now, const NodeId& from, ByteView bytes) {
  auto parsed = parse_cell(bytes);
  if (!parsed) {
    ++stats_.malformed_cells;
    return parsed.error();
  }
  const CellView& cell = *parsed;
  switch (cell.command) {
    case CellCommand::setup:
      handle_setup(now, from, cell);
      return {};
    case CellCommand::data_forward: {
      Circuit* circuit = table_.find_inbound(from, cell.circuit_id);
      if (circuit == nullptr) {
        ++stats_.unknown_circuit_cells;
      } else if (circuit->role == CircuitRole::last_hop) {
        receive_at_last_hop(*circuit, cell);
      } else if (!circuit->open) {
        // The client sends data only after the reply, which passes here first.
        ++stats_.protocol_violations;
        destroy(*circuit, DestroyReason::protocol, true, true);
      } else {
        relay_forward(*circuit, cell);
      }
      return {};
    }
    case CellCommand::setup_reply:
    case CellCommand::data_backward: {
      Circuit* circuit = table_.find_outbound(from, cell.circuit_id);
      if (circuit == nullptr) {
        ++stats_.unknown_circuit_cells;
        return {};
      }
      // Exactly one reply, and it comes first.
      if ((cell.command == CellCommand::setup_reply) == circuit->open) {
        ++stats_.protocol_violations;
        destroy(*circuit, DestroyReason::protocol, true, true);
        return {};
      }
      if (circuit->role == CircuitRole::origin) {
        receive_at_origin(*circuit, cell);
      } else {
        relay_backward(*circuit, cell);
      }
      return {};
    }
    case CellCommand::destroy_forward:
    case CellCommand::destroy_backward:
      return handle_destroy(from, cell);
  }
  return {};
}

void OnionRelay::relay_forward(Circuit& circuit, const CellView& cell) {
  Bytes out(kFixedCellBytes);
  write_cell_header(out, circuit.next_id, CellCommand::data_forward);
  if (!unwrap_forward_layer(circuit.keys[0].forward, circuit.forward_count, cell.body,
                            MutableByteView(out).subspan(kCellHeaderBytes))) {
    // Modified upstream (or replayed/reordered): drop it here, before anything downstream
    // could see it, and tear the circuit down.
    ++stats_.integrity_failures;
    destroy(circuit, DestroyReason::integrity, true, true);
    return;
  }
  ++circuit.forward_count;
  if (!queue_cell(circuit.next, std::move(out))) {
    destroy(circuit, DestroyReason::resource_limit, true, true);
    return;
  }
  ++stats_.cells_relayed_forward;
}

void OnionRelay::relay_backward(Circuit& circuit, const CellView& cell) {
  Bytes out(kFixedCellBytes);
  write_cell_header(out, circuit.prev_id, cell.command);
  wrap_backward_layer(circuit.keys[0].backward, circuit.backward_count++, cell.body,
                      MutableByteView(out).subspan(kCellHeaderBytes));
  if (cell.command == CellCommand::setup_reply) table_.mark_open(circuit);
  if (!queue_cell(circuit.prev, std::move(out))) {
    destroy(circuit, DestroyReason::resource_limit, true, true);
    return;
  }
  ++stats_.cells_relayed_backward;
}

Status OnionRelay::handle_destroy(const NodeId& from, const CellView& cell) {
  const bool forward = cell.command == CellCommand::destroy_forward;
  Circuit* circuit = forward ? table_.find_inbound(from, cell.circuit_id) : table_.find_outbound(from, cell.circuit_id);
  auto reason = parse_destroy_body(cell.body);
  if (circuit == nullptr) {
    ++stats_.unknown_circuit_cells;
  } else {
    // Pass it on away from the sender (Tor: DESTROY travels hop by hop).
    destroy(*circuit, reason ? *reason : DestroyReason::protocol, !forward, forward);
  }
  if (!reason) {
    ++stats_.malformed_cells;
    return reason.error();
  }
  return {};
}

void OnionRelay::on_link_down(Now /*now*/, const NodeId& peer) {
  for (CircuitHandle handle : table_.through(peer)) {
    Circuit* circuit = table_.find(handle);
    if (circuit == nullptr) continue;
    const bool prev_is_peer = circuit->has_prev() && circuit->prev == peer;
    const bool next_is_peer = circuit->has_next() && circuit->next == peer;
    destroy(*circuit, DestroyReason::link_down, !prev_is_peer, !next_is_peer);
  }
}

// --- teardown and output ---

void OnionRelay::destroy(Circuit& circuit, DestroyReason reason, bool tell_prev, bool tell_next, bool report) {
  if (tell_prev && circuit.has_prev())
    queue_destroy(circuit.prev, circuit.prev_id, CellCommand::destroy_backward, reason);
  if (tell_next && circuit.has_next())
    queue_destroy(circuit.next, circuit.next_id, CellCommand::destroy_forward, reason);
  if (report && circuit.role != CircuitRole::middle)
    events_.push_back(CircuitClosed{circuit.handle, circuit.role, reason, circuit.open});
  ++stats_.circuits_destroyed;
  table_.erase(circuit.handle);  // `circuit` is gone from here on
}

bool OnionRelay::queue_cell(const NodeId& to, Bytes cell) {
  if (cells_.size() >= config_.max_queued_cells) {
    ++stats_.queue_overflows;
    return false;
  }
  cells_.push_back(OutgoingCell{to, std::move(cell)});
  return true;
}

// DESTROYs bypass the bound: at most two per circuit, and the table is bounded.
void OnionRelay::queue_destroy(const NodeId& to, CircuitId id, CellCommand command, DestroyReason reason) {
  cells_.push_back(OutgoingCell{to, make_destroy_cell(id, command, reason)});
}

std::optional<OutgoingCell> OnionRelay::poll_cell() {
  if (cells_.empty()) return std::nullopt;
  OutgoingCell cell = std::move(cells_.front());
  cells_.pop_front();
  return cell;
}

std::optional<OnionEvent> OnionRelay::poll_event() {
  if (events_.empty()) return std::nullopt;
  OnionEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

}  // namespace zmesh::onion
