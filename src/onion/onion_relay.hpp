// OnionRelay: one node's part in onion circuits, as a sans-IO core. It relays circuits other
// nodes built (middle hop), ends circuits whose last hop it is, and builds circuits of its own
// (client), all through one table, because cells of every role arrive on the same link
// channel and share the circuit-id space of each link. Spec: docs/protocol/onion.md.
//
// Driving it (node layer, simulator, tests):
//   relay.on_cell(now, from, message)      // every message received on link channel 3
//   while (auto c = relay.poll_cell())     // send c->cell to c->to on link channel 3
//   while (auto e = relay.poll_event())    // circuits ready/closed, incoming circuits, relay messages
//   relay.on_link_down(now, peer)          // the link to `peer` closed, or a cell for it could not be sent
//   arm a timer for relay.next_deadline(); call relay.on_timeout(now) when it fires
//   add_onion_key / retire_onion_key       // as the node rotates its published onion keys
//
// The stream layer uses circuit handles: build_circuit() (client) and IncomingCircuit events
// (last hop) give them; send_relay_message() / RelayMessageReceived carry at most
// kMaxRelayPayloadBytes per message, end to end, in order, or the circuit closes.
//
// Not for: choosing paths (the caller passes the hops), opening links (the driver makes sure a
// link to a cell's `to` exists, or reports on_link_down), streams, exit policy.
#pragma once

#include <deque>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "identity/onion_key.hpp"
#include "onion/circuit_table.hpp"
#include "onion/onion_cell.hpp"
#include "onion/relay_message.hpp"
#include "onion/replay_cache.hpp"
#include "onion/sphinx.hpp"
#include "runtime/random.hpp"
#include "runtime/time.hpp"

namespace zmesh::onion {

struct OnionRelayConfig {
  CircuitLimits limits;
  DurationUs setup_timeout = 30 * kSecond;      // a setup without reply is torn down
  std::size_t replay_tags_per_key = 1u << 18;   // per onion key; full = refuse setups for it
  UnixSeconds onion_key_grace = 10 * kMinute;   // clock skew and in-flight setups around a key's window
  std::size_t max_queued_cells = 8192;          // outgoing data/setup cells; DESTROYs always fit
  std::size_t max_queued_events = 8192;         // RelayMessageReceived beyond this closes the circuit
};

struct OutgoingCell {
  NodeId to;
  Bytes cell;  // one message for link channel 3
};

// --- events ---
struct CircuitReady {  // a circuit we built is open (one round trip after build_circuit)
  CircuitHandle circuit;
};
struct IncomingCircuit {  // a client opened a circuit that ends here
  CircuitHandle circuit;
  NodeId previous_hop;
};
struct RelayMessageReceived {  // a relay message arrived on a circuit we built or end
  CircuitHandle circuit;
  CircuitRole role;  // origin or last_hop
  Bytes payload;
};
struct CircuitClosed {  // a circuit we built or end is gone (the handle is dead)
  CircuitHandle circuit;
  CircuitRole role;
  DestroyReason reason;
  bool was_open;  // false: the build failed
};
using OnionEvent = std::variant<CircuitReady, IncomingCircuit, RelayMessageReceived, CircuitClosed>;

struct OnionRelayStats {
  std::uint64_t setups_received = 0;
  std::uint64_t setups_forwarded = 0;
  std::uint64_t setups_ended_here = 0;
  std::uint64_t setups_rejected = 0;  // MAC, bad slot, bad next hop
  std::uint64_t setups_replayed = 0;
  std::uint64_t setups_unknown_key = 0;
  std::uint64_t setups_refused_limit = 0;
  std::uint64_t cells_relayed_forward = 0;
  std::uint64_t cells_relayed_backward = 0;
  std::uint64_t relay_messages_received = 0;
  std::uint64_t relay_messages_sent = 0;
  std::uint64_t integrity_failures = 0;    // a data cell failed a per-hop or end-to-end check
  std::uint64_t protocol_violations = 0;   // an unexpected cell on a known circuit
  std::uint64_t malformed_cells = 0;       // unparseable (on_cell returned an error)
  std::uint64_t unknown_circuit_cells = 0; // for no circuit we know (e.g. raced a DESTROY)
  std::uint64_t circuits_destroyed = 0;
  std::uint64_t queue_overflows = 0;
};

class OnionRelay {
 public:
  // `random` must outlive the relay (circuit ids, client ephemeral keys, padding).
  OnionRelay(const NodeId& self, OnionRelayConfig config, RandomSource& random);

  // --- onion keys (the node publishes their public parts in its descriptor) ---
  // Keeps its own copy (in guarded memory). invalid_argument for a key already held,
  // limit_exceeded beyond kMaxOnionKeys.
  Status add_onion_key(const OnionKeyPair& key);
  // Forgets the key and its replay tags; setups for it are refused from now on.
  void retire_onion_key(const OnionKeyId& id);
  std::size_t onion_key_count() const { return keys_.size(); }
  // Tags remembered for a key (0 for an unknown key).
  std::size_t replay_tags(const OnionKeyId& id) const;

  // --- link events ---
  // An error means the cell could not be parsed (count it against the peer); cells that are
  // valid but unwelcome (unknown circuit, failed checks) tear circuits down and return ok.
  Status on_cell(Now now, const NodeId& from, ByteView cell);
  void on_link_down(Now now, const NodeId& peer);
  void on_timeout(Now now);
  TimeUs next_deadline() const;
  std::optional<OutgoingCell> poll_cell();
  std::optional<OnionEvent> poll_event();

  // --- circuits of our own (client) ---
  // Sends the setup to path[0]; CircuitReady or CircuitClosed follows. 1..kMaxHops distinct
  // hops, none of them this node. limit_exceeded when a table or queue is full.
  Result<CircuitHandle> build_circuit(Now now, std::span<const SetupHop> path);

  // --- both endpoints (origin: towards the last hop; last hop: towards the client) ---
  // Errors: not_found (no such circuit), closed (not open yet), too_large (> kMaxRelayPayloadBytes),
  // limit_exceeded (cell queue full: nothing was sent, try again after draining).
  Status send_relay_message(Now now, CircuitHandle circuit, ByteView payload);
  // A cell the receiver drops (cover traffic); same errors.
  Status send_padding(Now now, CircuitHandle circuit);
  // Tears the circuit down in both directions; no CircuitClosed event for it.
  void close_circuit(Now now, CircuitHandle circuit);

  // --- inspection ---
  const Circuit* circuit(CircuitHandle handle) const { return table_.find(handle); }
  // Whether a circuit runs over the link to `peer` (it must stay open).
  bool uses_link(const NodeId& peer) const { return table_.uses_link(peer); }
  const CircuitTable& circuits() const { return table_; }
  const OnionRelayStats& stats() const { return stats_; }
  const NodeId& self() const { return self_; }
  std::size_t queued_cells() const { return cells_.size(); }

 private:
  struct OnionKeyEntry {
    OnionKeyPair pair;
    OnionKeyId id;
    ReplayCache replays;
  };

  // onion_relay_setup.cpp
  void handle_setup(Now now, const NodeId& from, const CellView& cell);
  OnionKeyEntry* usable_key(Now now, const OnionKeyId& id);
  void accept_as_last_hop(const NodeId& from, CircuitId id, HopKeys keys);
  void refuse_setup(const NodeId& from, CircuitId id, DestroyReason reason);

  // onion_relay.cpp: middle-hop relaying and teardown
  void relay_forward(Circuit& circuit, const CellView& cell);
  void relay_backward(Circuit& circuit, const CellView& cell);
  Status handle_destroy(const NodeId& from, const CellView& cell);
  // Sends DESTROY to the neighbours named, reports endpoints' circuits, forgets the circuit.
  void destroy(Circuit& circuit, DestroyReason reason, bool tell_prev, bool tell_next, bool report = true);
  // Drops keys past their window and grace; remembers when the next one ends (on `mono`).
  void expire_keys(Now now);
  // t + delta, clamped to the TimeUs range (drivers may pass any time, e.g. kNever - 1).
  static TimeUs later(TimeUs t, DurationUs delta);
  bool queue_cell(const NodeId& to, Bytes cell);
  void queue_destroy(const NodeId& to, CircuitId id, CellCommand command, DestroyReason reason);

  // onion_relay_endpoint.cpp: origin and last hop
  void receive_at_last_hop(Circuit& circuit, const CellView& cell);
  void receive_at_origin(Circuit& circuit, const CellView& cell);
  void deliver(Circuit& circuit, const RelayMessage& message);
  Status send_message(CircuitHandle handle, RelayMessageType type, ByteView payload);

  NodeId self_;
  OnionRelayConfig config_;
  RandomSource& random_;
  std::vector<OnionKeyEntry> keys_;
  CircuitTable table_;
  std::deque<OutgoingCell> cells_;
  std::deque<OnionEvent> events_;
  Bytes routing_scratch_;
  // When the next key leaves its window, on the monotonic clock; kNever until an event after a
  // key was added has told us how the two clocks relate.
  TimeUs next_key_expiry_ = kNever;
  OnionRelayStats stats_;
};

}  // namespace zmesh::onion
