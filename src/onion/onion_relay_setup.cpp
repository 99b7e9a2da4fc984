// OnionRelay: a SETUP cell arriving from a neighbour (docs/protocol/onion.md "Processing at a
// hop"). Cheap checks first, then the hop's public-key work, the replay check, and either
// forwarding the re-blinded header or answering as the last hop.
#include <cstring>

#include "onion/layered_cell.hpp"
#include "onion/onion_relay.hpp"

namespace zmesh::onion {

void OnionRelay::handle_setup(Now now, const NodeId& from, const CellView& cell) {
  ++stats_.setups_received;
  if (table_.find_inbound(from, cell.circuit_id) != nullptr) {
    // The peer reused the id of a live circuit: answering with a DESTROY would name that
    // circuit, so just drop the cell (the peer's build times out).
    ++stats_.protocol_violations;
    return;
  }
  const CircuitLimits& limits = table_.limits();
  if (table_.size() >= limits.max_circuits || table_.created_by(from) >= limits.max_circuits_per_peer ||
      cells_.size() >= config_.max_queued_cells) {
    ++stats_.setups_refused_limit;
    refuse_setup(from, cell.circuit_id, DestroyReason::resource_limit);
    return;
  }
  OnionKeyEntry* key = usable_key(now, setup_header_key_id(cell.body));
  if (key == nullptr) {
    ++stats_.setups_unknown_key;
    refuse_setup(from, cell.circuit_id, DestroyReason::unknown_key);
    return;
  }
  auto opened = open_setup_header(key->pair, cell.body);
  if (!opened) {
    ++stats_.setups_rejected;
    refuse_setup(from, cell.circuit_id, DestroyReason::setup_rejected);
    return;
  }
  // Sphinx §3.2: the tag is remembered only for headers whose MAC verified, so garbage cannot
  // fill the cache; a replay is refused before the second X25519 (the blinding).
  switch (key->replays.check_and_insert(opened->schedule.replay_tag)) {
    case ReplayVerdict::fresh:
      break;
    case ReplayVerdict::replay:
      ++stats_.setups_replayed;
      refuse_setup(from, cell.circuit_id, DestroyReason::setup_rejected);
      return;
    case ReplayVerdict::full:
      ++stats_.setups_refused_limit;
      refuse_setup(from, cell.circuit_id, DestroyReason::resource_limit);
      return;
  }

  Bytes out(kSetupCellBytes);
  auto routing = unwrap_setup_header(*opened, cell.body, routing_scratch_, MutableByteView(out).subspan(kCellHeaderBytes));
  // A relay never extends a circuit to itself or back to where it came from.
  if (!routing || (!routing->final && (routing->next == self_ || routing->next == from))) {
    ++stats_.setups_rejected;
    refuse_setup(from, cell.circuit_id, DestroyReason::setup_rejected);
    return;
  }
  if (routing->final) {
    accept_as_last_hop(from, cell.circuit_id, std::move(opened->schedule.keys));
    return;
  }

  Circuit circuit;
  circuit.role = CircuitRole::middle;
  circuit.setup_deadline = later(now.mono, config_.setup_timeout);
  circuit.prev = from;
  circuit.prev_id = cell.circuit_id;
  circuit.next = routing->next;
  circuit.keys.push_back(std::move(opened->schedule.keys));
  auto next_id = table_.pick_outbound_id(routing->next, random_);
  if (next_id) circuit.next_id = *next_id;
  if (!next_id || !table_.insert(std::move(circuit))) {
    ++stats_.setups_refused_limit;
    refuse_setup(from, cell.circuit_id, DestroyReason::resource_limit);
    return;
  }
  write_cell_header(out, *next_id, CellCommand::setup);
  queue_cell(routing->next, std::move(out));  // room was checked above
  ++stats_.setups_forwarded;
}

OnionRelay::OnionKeyEntry* OnionRelay::usable_key(Now now, const OnionKeyId& id) {
  const UnixSeconds unix_time = now.unix_seconds();
  for (OnionKeyEntry& entry : keys_) {
    if (entry.id != id) continue;
    const UnixSeconds from = entry.pair.valid_from > config_.onion_key_grace ? entry.pair.valid_from - config_.onion_key_grace : 0;
    if (unix_time < from || unix_time >= entry.pair.valid_until + config_.onion_key_grace) return nullptr;
    return &entry;
  }
  return nullptr;
}

void OnionRelay::accept_as_last_hop(const NodeId& from, CircuitId id, HopKeys keys) {
  Circuit circuit;
  circuit.role = CircuitRole::last_hop;
  circuit.open = true;
  circuit.prev = from;
  circuit.prev_id = id;
  circuit.keys.push_back(std::move(keys));
  auto inserted = table_.insert(std::move(circuit));
  if (!inserted) {
    ++stats_.setups_refused_limit;
    refuse_setup(from, id, DestroyReason::resource_limit);
    return;
  }
  Circuit& accepted = **inserted;
  ++stats_.setups_ended_here;
  events_.push_back(IncomingCircuit{accepted.handle, from});

  // The reply is backward cell 0 carrying READY end to end: when the client can open it,
  // every hop on the path has derived the keys the client expects.
  ByteArray<kRelayMessageRegionBytes> region{};
  encode_relay_message(RelayMessageType::ready, {}, region);
  Bytes reply(kFixedCellBytes);
  write_cell_header(reply, id, CellCommand::setup_reply);
  seal_at_last_hop(accepted.keys[0].backward, accepted.backward_count++, region,
                   MutableByteView(reply).subspan(kCellHeaderBytes));
  queue_cell(from, std::move(reply));  // room was checked in handle_setup
}

void OnionRelay::refuse_setup(const NodeId& from, CircuitId id, DestroyReason reason) {
  queue_destroy(from, id, CellCommand::destroy_backward, reason);
}

}  // namespace zmesh::onion
