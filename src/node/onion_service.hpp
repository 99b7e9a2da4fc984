// OnionService: the node's part in onion routing, on link channel 3, as a thin facade over
// the parts Arti splits the same way:
//   - one OnionRelay (every circuit role: middle hop, last hop, our own circuits);
//   - the node's LinkManager (ServiceHost::links()) carries its cells, dialling a next hop
//     found in the PeerDirectory; a hop that cannot be reached fails its circuits;
//   - a CircuitPool (node/circuit_pool.hpp): paths, ready client circuits, freshness, build
//     backoff, probe circuits;
//   - a StreamRouter (node/stream_router.hpp): application streams by StreamKey, a StreamMux per
//     circuit it built or ends;
//   - onion key rotation (node/onion_key_rotation.hpp).
// Each event runs one pass over the work it produced (relay events → pool and router → relay
// messages → cells → links), so its cost does not grow with the number of circuits.
//
// Driver (src/app/onion_frontend.*, tests/node):
//   node.add_service(onion)                       // before start
//   key = onion.open_stream(now, target)          // client: a stream through a pooled circuit
//   while (auto e = onion.poll_stream_event())    // incoming (exit), connected, readable, ...
//   onion.accept_stream / refuse_stream           // exit: after policy, resolution, connect
//   onion.write / read / finish / reset           // pass-through, with writable_bytes() flow control
// After each call (and after NodeCore events), drain NodeCore's actions as usual.
//
// Not for: sockets, DNS, the exit policy (the driver decides what an `incoming` stream may
// reach), publishing the descriptor (on_onion_keys_changed tells the driver to).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "identity/descriptor.hpp"
#include "node/channels.hpp"
#include "node/circuit_pool.hpp"
#include "node/onion_key_rotation.hpp"
#include "node/peer_directory.hpp"
#include "node/service.hpp"
#include "node/stream_router.hpp"
#include "onion/onion_relay.hpp"
#include "onion/stream_mux.hpp"

namespace zmesh::node {

struct OnionServiceConfig {
  onion::OnionRelayConfig relay;
  onion::StreamMuxConfig streams;         // per circuit, both ends
  OnionKeyRotationConfig key_rotation;
  std::size_t hops = 3;                   // client circuits: 2 or 3
  std::size_t ready_circuits = 2;         // client circuits kept built ahead of streams (0: on demand)
  // A client circuit takes new streams for this long after it is ready, then only finishes the
  // ones it has and closes (Tor's MaxCircuitDirtiness): streams of different moments do not
  // share one exit connection pattern forever.
  DurationUs circuit_fresh_for = 10 * 60 * kSecond;
  bool accept_streams = false;            // last hop: announce BEGINs (`incoming`), else refuse (exit_policy)
  std::size_t max_waiting_streams = 256;  // opened before any circuit was ready
  DurationUs send_retry_interval = 50 * kMillisecond;  // retry a relay message refused for a full cell queue
  // Cells for a next hop without a link wait in the node's LinkManager (NodeConfig::links).
  DurationUs build_retry_min = 500 * kMillisecond;    // after a failed build or missing relays (node/backoff.hpp, jittered)
  DurationUs build_retry_max = 30 * kSecond;
};

struct OnionServiceStatus {
  std::size_t circuits_origin = 0;      // built by us (open or building)
  std::size_t circuits_origin_open = 0;
  std::size_t circuits_middle = 0;
  std::size_t circuits_last_hop = 0;
  std::size_t streams = 0;              // live, including those waiting for a circuit
  std::uint64_t circuits_built = 0;     // client circuits that became ready
  std::uint64_t circuit_build_failures = 0;
  std::uint64_t streams_opened = 0;     // client
  std::uint64_t streams_incoming = 0;   // exit
  // The node's LinkManager (shared with the DHT): held messages dropped, dials, descriptor misses.
  std::uint64_t cells_queued_dropped = 0;
  std::uint64_t links_dialled = 0;
  std::uint64_t descriptor_misses = 0;
  std::uint64_t key_rotations = 0;
  std::string last_build_error;
  std::vector<DurationUs> recent_build_times;  // the last client circuit builds (pool and probes), oldest first
  onion::OnionRelayStats relay;
};

// One circuit as `zmesh circuits` shows it (onion_service_inspect.cpp).
struct OnionCircuitInfo {
  onion::CircuitHandle handle{};
  onion::CircuitRole role = onion::CircuitRole::middle;
  bool open = false;
  const char* pool_state = "";  // origin: building, probe, fresh, stale (CircuitPool::state)
  std::vector<NodeId> path;     // origin: every hop in order
  NodeId prev, next;            // middle and last hop: the neighbours (next unset at the last hop)
  TimeUs ready_at = kNever;     // origin circuits of the pool
  std::size_t streams = 0;      // live streams (origin and last hop)
  onion::StreamMuxCounters stream_counters;
  std::uint64_t cells_forward = 0, cells_backward = 0;
};

class OnionService final : public Service {
 public:
  using KeysChanged = std::function<void(Now now, const std::vector<OnionKeyPair>&)>;

  // `directory` and `random` must outlive the service. `onion_keys` are the node's current
  // keys (from its key file); rotation starts from them.
  OnionService(const NodeId& self, std::vector<OnionKeyPair> onion_keys, PeerDirectory& directory,
               RandomSource& random, OnionServiceConfig config);
  ~OnionService() override;

  // Called (from inside a service callback) whenever rotation added or dropped a key: the
  // driver persists the keys and republishes the descriptor.
  void on_onion_keys_changed(KeysChanged callback) { keys_changed_ = std::move(callback); }
  const std::vector<OnionKeyPair>& onion_keys() const { return onion_keys_; }

  // --- Service ---
  Channel channel() const override { return kChannelOnion; }
  const char* name() const override { return "onion"; }
  void on_attach(ServiceHost& host) override;
  void on_peer_down(Now now, const NodeId& peer) override;
  void on_peer_unreachable(Now now, const NodeId& peer, std::string_view why) override;
  bool needs_link(const NodeId& peer) const override { return relay_.uses_link(peer); }
  void on_message(Now now, const NodeId& from, ByteView message) override;
  TimeUs next_deadline() const override;
  void on_timeout(Now now) override;

  // --- streams (docs/protocol/streams.md; semantics as onion::StreamMux) ---
  // Client: a stream to `target` over a ready circuit, or as soon as one is. limit_exceeded
  // when too many wait; the outcome arrives as `connected` or `open_failed`.
  Result<StreamKey> open_stream(Now now, const onion::StreamTarget& target);
  Status accept_stream(Now now, StreamKey stream);
  Status refuse_stream(Now now, StreamKey stream, onion::StreamError reason);
  Result<std::size_t> write(Now now, StreamKey stream, ByteView data);
  std::size_t writable_bytes(StreamKey stream) const;
  Result<std::size_t> read(Now now, StreamKey stream, MutableByteView out);
  std::size_t readable_bytes(StreamKey stream) const;
  bool at_eof(StreamKey stream) const;
  Status finish(Now now, StreamKey stream);
  Status reset(Now now, StreamKey stream, onion::StreamError reason = onion::StreamError::aborted);
  std::optional<OnionStreamEvent> poll_stream_event();

  // A client circuit outside the pool, closed as soon as it is ready: `done` gets the time
  // from build_circuit to ready (a circuit build benchmark and health check), or the error.
  using ProbeDone = std::function<void(Result<DurationUs>)>;
  Status build_probe_circuit(Now now, ProbeDone done);

  // The pool of `ready_circuits` client circuits is kept from the first stream on, or from
  // this call (a node with a SOCKS port warms up at startup; a pure relay never builds any).
  void warm_up(Now now);
  // Tor's NEWNYM: every ready client circuit takes no new stream from now on (each closes
  // after its last stream); new streams go over circuits built after this call.
  void new_circuits(Now now);

  // Why the pool cannot choose a path right now (too few relays known...); empty when it can.
  const std::string& path_unavailable() const { return pool_.counters().path_unavailable; }
  bool stream_waiting(StreamKey stream) const { return router_.is_waiting(stream); }
  std::vector<OnionCircuitInfo> circuits() const;  // onion_service_inspect.cpp

  // --- inspection ---
  OnionServiceStatus status() const;
  const onion::OnionRelay& relay() const { return relay_; }
  std::size_t ready_client_circuits() const;

 private:
  // onion_service.cpp: events in, one pass, cells out
  // One pass over the work this event produced (relay events, dirty muxes, relay cells), until
  // every list is empty; cost follows the work, not the number of circuits. Re-entry (a
  // PeerDirectory answering inside a send) just takes items early.
  void run(Now now);
  void handle_relay_event(Now now, onion::OnionEvent&& event);
  // Through the node's LinkManager, dialling a next hop from its descriptor in directory_;
  // a hop that cannot be reached comes back as on_peer_unreachable.
  void send_cell(Now now, const NodeId& to, const Bytes& cell);
  // A circuit we close ourselves (protocol error, retired): the relay reports no CircuitClosed.
  void close_circuit(Now now, onion::CircuitHandle circuit);
  onion::CircuitHandle pick_circuit() const;
  void attach_waiting(Now now);

  // onion_service_keys.cpp
  void rotate_keys(Now now);

  NodeId self_;
  OnionServiceConfig config_;
  PeerDirectory& directory_;
  RandomSource& random_;
  ServiceHost* host_ = nullptr;
  onion::OnionRelay relay_;
  CircuitPool pool_;      // after relay_: builds through it
  StreamRouter router_;   // after relay_: sends through it
  std::vector<OnionKeyPair> onion_keys_;
  KeysChanged keys_changed_;
  TimeUs next_key_check_ = 0;
  std::uint64_t key_rotations_ = 0;
};

}  // namespace zmesh::node
