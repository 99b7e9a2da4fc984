// StreamRouter: application streams over onion circuits. One map from a node-local StreamKey
// to where the stream is (waiting for a circuit, or a StreamId on a circuit's StreamMux), a
// StreamMux per circuit this node built (client) or ends (exit), and the stream events for the
// application (OnionStreamEvent).
//
// Driving it (OnionService does):
//   router.add_circuit(circuit, role)            // a client circuit ready / a circuit ending here
//   router.on_circuit_message(now, circuit, m)   // a relay message for it
//   router.remove_circuit(now, circuit)          // it is gone: its streams reset
//   router.drain(now)                            // after each event: dirty muxes → relay messages, events
//   router.open / accept / write / read / ...    // the application's calls
//   arm a timer for next_deadline(); on_timeout(now)
// Every call that may give a mux work marks it dirty; drain() visits only those, and mux
// deadlines sit in an ordered set, so an event costs O(log circuits), not a visit of each.
//
// Not for: choosing the circuit (a pick function comes in), building or closing circuits,
// links, exit policy (the application decides what an `incoming` stream may reach).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "onion/onion_relay.hpp"
#include "onion/stream_mux.hpp"

namespace zmesh::node {

// A node-local stream name (never reused, never sent): stays the same from open_stream() or
// `incoming` until closed / reset / open_failed, even while the stream waits for a circuit.
using StreamKey = std::uint64_t;

struct OnionStreamEvent {
  onion::StreamEventKind kind = onion::StreamEventKind::readable;
  StreamKey stream = 0;
  onion::StreamTarget target;                           // incoming
  onion::StreamError error = onion::StreamError::none;  // open_failed, reset
};

struct StreamRouterConfig {
  onion::StreamMuxConfig streams;         // per circuit, both ends
  std::size_t max_waiting_streams = 256;  // opened before any circuit was ready
  bool accept_streams = false;            // exit: announce BEGINs (`incoming`), else refuse (exit_policy)
  DurationUs send_retry_interval = 50 * kMillisecond;  // a message the relay refused (full queue)
};

struct StreamRouterCounters {
  std::uint64_t streams_opened = 0;    // client
  std::uint64_t streams_incoming = 0;  // exit
};

class StreamRouter {
 public:
  using PickCircuit = std::function<onion::CircuitHandle()>;  // 0: none ready

  // `relay` carries the muxes' messages; it must outlive the router.
  StreamRouter(onion::OnionRelay& relay, StreamRouterConfig config);

  // --- circuits ---
  void add_circuit(onion::CircuitHandle circuit, onion::StreamMuxRole role);
  // An error: the other end broke the stream protocol (its streams are reset); the caller
  // closes the circuit and calls remove_circuit.
  Status on_circuit_message(Now now, onion::CircuitHandle circuit, ByteView payload);
  void remove_circuit(Now now, onion::CircuitHandle circuit);
  std::size_t load(onion::CircuitHandle circuit) const;  // its streams; max_streams when it takes none
  bool busy(onion::CircuitHandle circuit) const;        // carries a stream (or is unknown: false)

  // --- streams waiting for a circuit (client) ---
  Result<StreamKey> open(Now now, const onion::StreamTarget& target, const PickCircuit& pick);
  // Puts waiting streams on circuits `pick` gives, while it gives one.
  void attach_waiting(Now now, const PickCircuit& pick);
  std::size_t waiting() const { return waiting_.size(); }
  bool is_waiting(StreamKey stream) const;  // opened, not yet on a circuit

  // --- the application's calls (semantics as onion::StreamMux) ---
  Status accept(StreamKey stream);
  Status refuse(StreamKey stream, onion::StreamError reason);
  Result<std::size_t> write(StreamKey stream, ByteView data);
  std::size_t writable_bytes(StreamKey stream) const;
  Result<std::size_t> read(StreamKey stream, MutableByteView out);
  std::size_t readable_bytes(StreamKey stream) const;
  bool at_eof(StreamKey stream) const;
  Status finish(StreamKey stream);
  Status reset(Now now, StreamKey stream, onion::StreamError reason);
  std::optional<OnionStreamEvent> poll_event();

  // --- the pass and timers ---
  // Drains the muxes marked dirty: their events out, their messages into the relay. False
  // when there was nothing to do.
  bool drain(Now now);
  TimeUs next_deadline() const;
  void on_timeout(Now now);

  std::size_t stream_count() const { return streams_.size(); }
  // A circuit's StreamMux (inspection: its streams and counters); nullptr if it has none.
  const onion::StreamMux* mux(onion::CircuitHandle circuit) const;
  const StreamRouterCounters& counters() const { return counters_; }

 private:
  struct Route {                     // where a stream is
    onion::CircuitHandle circuit{};  // 0 while waiting for a circuit
    onion::StreamId id = 0;
    onion::StreamTarget target;      // while waiting
    TimeUs wait_deadline = kNever;   // while waiting
  };
  struct CircuitStreams {
    onion::StreamMux mux;
    std::optional<Bytes> held;  // a message the relay refused for a full queue, sent first
    bool dirty = false;         // listed in dirty_
    TimeUs armed_at = kNever;   // its entry in deadlines_
    CircuitStreams(onion::StreamMuxRole role, const onion::StreamMuxConfig& config);
  };

  // stream_router.cpp: the map and the muxes
  // The one map is streams_; by_circuit_ indexes it (mux events name StreamIds) and is written
  // only by bind() and unbind().
  void bind(StreamKey key, onion::CircuitHandle circuit, onion::StreamId id);
  void unbind(StreamKey key);
  // A live stream on a circuit, marked dirty (the call may give its mux work); nullptr if none.
  std::pair<CircuitStreams*, const Route*> attached(StreamKey key);
  std::pair<const CircuitStreams*, onion::StreamId> attached(StreamKey key) const;
  void mark_dirty(onion::CircuitHandle handle, CircuitStreams& streams);
  void drain_mux(Now now, onion::CircuitHandle circuit, CircuitStreams& streams);
  void rearm(onion::CircuitHandle handle, CircuitStreams& streams);
  void disarm(onion::CircuitHandle handle, CircuitStreams& streams);
  void expire_waiting(Now now);
  void emit(OnionStreamEvent event) { events_.push_back(std::move(event)); }

  onion::OnionRelay& relay_;
  StreamRouterConfig config_;
  std::map<StreamKey, Route> streams_;
  std::map<std::pair<onion::CircuitHandle, onion::StreamId>, StreamKey> by_circuit_;
  std::deque<StreamKey> waiting_;  // waiting streams in the order opened (same timeout: deadline order)
  std::map<onion::CircuitHandle, CircuitStreams> circuits_;
  std::vector<onion::CircuitHandle> dirty_;  // may name gone circuits
  std::set<onion::CircuitHandle> held_;
  std::set<std::pair<TimeUs, onion::CircuitHandle>> deadlines_;
  TimeUs next_retry_ = kNever;  // held_ retried then
  std::deque<OnionStreamEvent> events_;
  StreamKey next_key_ = 1;
  StreamRouterCounters counters_;
};

}  // namespace zmesh::node
