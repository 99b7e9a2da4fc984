// OnionService: the node's part in onion routing, on link channel 3. It drives one OnionRelay
// (every circuit role), sends its cells through the node's LinkManager (which dials a next hop
// found in the PeerDirectory, holding its cells meanwhile), rotates the onion keys, keeps a small pool of
// ready client circuits, and runs a StreamMux on every circuit it builds or ends, so that the
// driver only moves stream bytes between sockets and the calls below. Sans-IO like NodeCore.
//
// Driver (src/app/onion_glue.*, tests/node):
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

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "identity/descriptor.hpp"
#include "node/channels.hpp"
#include "node/onion_key_rotation.hpp"
#include "node/peer_directory.hpp"
#include "node/service.hpp"
#include "onion/onion_relay.hpp"
#include "onion/stream_mux.hpp"

namespace zmesh::node {

// A node-local stream name (never reused, never sent): stays the same from open_stream() or
// `incoming` until closed / reset / open_failed, even while the stream waits for a circuit.
using StreamKey = std::uint64_t;

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
  DurationUs build_retry_min = 500 * kMillisecond;    // after a failed build or missing relays
  DurationUs build_retry_max = 30 * kSecond;
};

struct OnionStreamEvent {
  onion::StreamEventKind kind = onion::StreamEventKind::readable;
  StreamKey stream = 0;
  onion::StreamTarget target;                     // incoming
  onion::StreamError error = onion::StreamError::none;  // open_failed, reset
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

class OnionService final : public Service {
 public:
  using KeysChanged = std::function<void(const std::vector<OnionKeyPair>&)>;

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

  // --- inspection ---
  OnionServiceStatus status() const;
  const onion::OnionRelay& relay() const { return relay_; }
  std::size_t ready_client_circuits() const;

 private:
  struct CircuitStreams {
    onion::StreamMux mux;
    std::optional<Bytes> held;  // a message the relay refused for a full queue, sent first
    std::map<onion::StreamId, StreamKey> keys;
    TimeUs ready_at = 0;  // client: when the circuit became ready
    bool fresh = false;   // client: takes new streams (ready, not yet past circuit_fresh_for)
    bool dirty = false;   // listed in dirty_: the mux has work for the next pass
    TimeUs armed_at = kNever;  // its entry in mux_deadlines_ (kNever: none)
    CircuitStreams(onion::StreamMuxRole role, const onion::StreamMuxConfig& config);
  };
  struct StreamRef {
    onion::CircuitHandle circuit{};  // 0 while waiting for a circuit
    onion::StreamId id = 0;
  };
  struct WaitingStream {
    StreamKey key;
    onion::StreamTarget target;
    TimeUs deadline;
  };

  // onion_service.cpp: events in, cells out
  // One pass over the work this event produced (relay events, dirty muxes, relay cells), until
  // every list is empty; cost follows the work, not the number of circuits.
  void run(Now now);
  void handle_relay_event(Now now, onion::OnionEvent&& event);

  // Through the node's LinkManager, dialling a next hop from its descriptor in directory_;
  // a hop that cannot be reached comes back as on_peer_unreachable.
  void send_cell(Now now, const NodeId& to, const Bytes& cell);

  // onion_service_circuits.cpp: client circuit pool and key rotation
  void maintain_pool(Now now);
  Result<onion::CircuitHandle> build_one(Now now);
  void record_build_time(onion::CircuitHandle circuit, Now now);
  std::size_t wanted_circuits() const;
  void rotate_keys(Now now);

  // onion_service_streams.cpp: StreamMux per circuit
  void on_circuit_ready(Now now, onion::CircuitHandle circuit);
  void on_incoming_circuit(onion::CircuitHandle circuit);
  void on_circuit_message(Now now, onion::CircuitHandle circuit, ByteView payload);
  void on_circuit_gone(Now now, onion::CircuitHandle circuit);
  void attach_waiting(Now now);
  void expire_waiting(Now now);
  void drain_mux(Now now, onion::CircuitHandle handle, CircuitStreams& streams);
  // Drains the muxes marked dirty since the last pass; false when there were none.
  bool drain_dirty(Now now);
  // Every call that may give a mux work (a message in, an API call, a timeout) marks it.
  void mark_dirty(onion::CircuitHandle handle, CircuitStreams& streams);
  // Keeps mux_deadlines_ true after a drain, and forgets a circuit's entry when it goes.
  void rearm_mux(onion::CircuitHandle handle, CircuitStreams& streams);
  void disarm_mux(onion::CircuitHandle handle, CircuitStreams& streams);
  bool is_fresh_client(const CircuitStreams& streams) const;
  // Client circuits whose circuit_fresh_for ended take no new streams from now on.
  void age_circuits(Now now);
  // Closes client circuits past circuit_fresh_for that carry no stream any more.
  void retire_stale_circuits(Now now);
  onion::CircuitHandle pick_client_circuit() const;
  const StreamRef* find_ref(StreamKey key) const;
  // The mux and id of a stream on a circuit (nullptr while it waits for one, or unknown).
  std::pair<const onion::StreamMux*, onion::StreamId> mux_of(StreamKey stream) const;
  CircuitStreams* circuit_of(const StreamRef& ref);
  const CircuitStreams* circuit_of(const StreamRef& ref) const;
  void emit(OnionStreamEvent event);

  NodeId self_;
  OnionServiceConfig config_;
  PeerDirectory& directory_;
  RandomSource& random_;
  ServiceHost* host_ = nullptr;
  onion::OnionRelay relay_;
  std::vector<OnionKeyPair> onion_keys_;
  KeysChanged keys_changed_;
  TimeUs next_retry_ = kNever;  // held_ messages are retried then

  std::map<onion::CircuitHandle, TimeUs> build_started_;  // client circuits being built
  std::map<onion::CircuitHandle, ProbeDone> probes_;
  std::deque<DurationUs> build_times_;
  std::map<onion::CircuitHandle, CircuitStreams> circuits_;
  std::set<std::pair<TimeUs, onion::CircuitHandle>> fresh_until_;  // fresh client circuits, by end of freshness
  std::set<onion::CircuitHandle> stale_;  // client circuits past freshness, closed once their last stream ends
  std::vector<onion::CircuitHandle> dirty_;  // muxes with work for the next pass (may name gone circuits)
  std::set<onion::CircuitHandle> held_;      // circuits holding a message the relay refused (full queue)
  std::set<std::pair<TimeUs, onion::CircuitHandle>> mux_deadlines_;  // every mux's next deadline
  std::map<StreamKey, StreamRef> streams_;
  std::deque<WaitingStream> waiting_;
  std::deque<OnionStreamEvent> events_;
  StreamKey next_stream_ = 1;
  bool pool_active_ = false;
  std::size_t building_ = 0;
  TimeUs next_build_at_ = 0;
  DurationUs build_backoff_ = 0;
  TimeUs next_key_check_ = 0;

  OnionServiceStatus counters_;  // the counting fields; status() fills the rest
};

}  // namespace zmesh::node
