// OnionRelay at the ends of a circuit: building our own circuits (client), sending and
// receiving relay messages as the client or as the last hop.
#include <cstring>

#include "onion/layered_cell.hpp"
#include "onion/onion_relay.hpp"

namespace zmesh::onion {

Result<CircuitHandle> OnionRelay::build_circuit(Now now, std::span<const SetupHop> path) {
  for (const SetupHop& hop : path)
    if (hop.node == self_) return make_error(Errc::invalid_argument, "a path must not include this node");
  const CircuitLimits& limits = table_.limits();
  if (table_.origin_count() >= limits.max_origin_circuits || table_.size() >= limits.max_circuits)
    return make_error(Errc::limit_exceeded, "circuit table full");
  if (cells_.size() >= config_.max_queued_cells) return make_error(Errc::limit_exceeded, "cell queue full");
  ZM_TRY(BuiltSetup built, build_setup_header(path, random_));
  ZM_TRY(CircuitId id, table_.pick_outbound_id(path[0].node, random_));

  Circuit circuit;
  circuit.role = CircuitRole::origin;
  circuit.setup_deadline = later(now.mono, config_.setup_timeout);
  circuit.next = path[0].node;
  circuit.next_id = id;
  circuit.keys = std::move(built.hops);
  for (const SetupHop& hop : path) circuit.path.push_back(hop.node);
  ZM_TRY(Circuit* inserted, table_.insert(std::move(circuit)));

  Bytes cell(kSetupCellBytes);
  write_cell_header(cell, id, CellCommand::setup);
  std::memcpy(cell.data() + kCellHeaderBytes, built.header.data(), kSetupHeaderBytes);
  queue_cell(path[0].node, std::move(cell));  // room was checked above
  return inserted->handle;
}

Status OnionRelay::send_relay_message(Now /*now*/, CircuitHandle circuit, ByteView payload) {
  return send_message(circuit, RelayMessageType::data, payload);
}

Status OnionRelay::send_padding(Now /*now*/, CircuitHandle circuit) {
  return send_message(circuit, RelayMessageType::padding, {});
}

Status OnionRelay::send_message(CircuitHandle handle, RelayMessageType type, ByteView payload) {
  Circuit* circuit = table_.find(handle);
  if (circuit == nullptr || circuit->role == CircuitRole::middle)
    return make_error(Errc::not_found, "no circuit of ours with that handle");
  if (!circuit->open) return make_error(Errc::closed, "circuit not open yet");
  if (payload.size() > kMaxRelayPayloadBytes)
    return make_error(Errc::too_large, "relay message payload above " + std::to_string(kMaxRelayPayloadBytes) + " bytes");
  if (cells_.size() >= config_.max_queued_cells) return make_error(Errc::limit_exceeded, "cell queue full");

  ByteArray<kRelayMessageRegionBytes> region;
  encode_relay_message(type, payload, region);
  Bytes cell(kFixedCellBytes);
  const MutableByteView body = MutableByteView(cell).subspan(kCellHeaderBytes);
  if (circuit->role == CircuitRole::origin) {
    write_cell_header(cell, circuit->next_id, CellCommand::data_forward);
    seal_at_client(circuit->keys, circuit->forward_count++, region, random_, body);
    queue_cell(circuit->next, std::move(cell));
  } else {
    write_cell_header(cell, circuit->prev_id, CellCommand::data_backward);
    seal_at_last_hop(circuit->keys[0].backward, circuit->backward_count++, region, body);
    queue_cell(circuit->prev, std::move(cell));
  }
  ++stats_.relay_messages_sent;
  return {};
}

void OnionRelay::close_circuit(Now /*now*/, CircuitHandle handle) {
  Circuit* circuit = table_.find(handle);
  if (circuit == nullptr || circuit->role == CircuitRole::middle) return;
  destroy(*circuit, DestroyReason::requested, true, true, /*report=*/false);
}

void OnionRelay::receive_at_last_hop(Circuit& circuit, const CellView& cell) {
  ByteArray<kRelayMessageRegionBytes> region;
  if (!open_at_last_hop(circuit.keys[0].forward, circuit.forward_count, cell.body, region)) {
    ++stats_.integrity_failures;
    destroy(circuit, DestroyReason::integrity, true, true);
    return;
  }
  ++circuit.forward_count;
  auto message = decode_relay_message(region);
  // READY is the last hop's word; a client sending it is broken.
  if (!message || message->type == RelayMessageType::ready) {
    ++stats_.protocol_violations;
    destroy(circuit, DestroyReason::protocol, true, true);
    return;
  }
  deliver(circuit, *message);
}

void OnionRelay::receive_at_origin(Circuit& circuit, const CellView& cell) {
  ByteArray<kRelayMessageRegionBytes> region;
  if (!open_at_client(circuit.keys, circuit.backward_count, cell.body, region)) {
    ++stats_.integrity_failures;
    destroy(circuit, DestroyReason::integrity, true, true);
    return;
  }
  ++circuit.backward_count;
  auto message = decode_relay_message(region);
  const bool is_reply = cell.command == CellCommand::setup_reply;
  if (!message || (message->type == RelayMessageType::ready) != is_reply) {
    ++stats_.protocol_violations;
    destroy(circuit, DestroyReason::protocol, true, true);
    return;
  }
  if (is_reply) {
    table_.mark_open(circuit);
    events_.push_back(CircuitReady{circuit.handle});
    return;
  }
  deliver(circuit, *message);
}

void OnionRelay::deliver(Circuit& circuit, const RelayMessage& message) {
  if (message.type == RelayMessageType::padding) return;
  if (events_.size() >= config_.max_queued_events) {
    // Nobody is draining events: close rather than drop a message silently.
    ++stats_.queue_overflows;
    destroy(circuit, DestroyReason::resource_limit, true, true);
    return;
  }
  events_.push_back(RelayMessageReceived{circuit.handle, circuit.role, Bytes(message.payload.begin(), message.payload.end())});
  ++stats_.relay_messages_received;
}

}  // namespace zmesh::onion
