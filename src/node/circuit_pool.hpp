// CircuitPool: the client's onion circuits, as Arti's tor-circmgr keeps them. It picks paths
// (node/path_selection.hpp over the PeerDirectory), keeps `ready_circuits` built ahead of
// streams, lets a circuit take new streams only for `circuit_fresh_for` after it is ready
// (Tor's MaxCircuitDirtiness) and then retires it once its last stream ended, backs off failed
// builds (node/backoff.hpp), and builds probe circuits (closed as soon as they are ready; their
// build time is the answer).
//
// Driving it (OnionService does):
//   pool.activate()                          // from the first stream, or warm_up()
//   pool.maintain(now, waiting_streams)      // after each event: builds what is missing
//   pool.on_ready(now, circuit) / on_closed(now, closed)   // the relay's events for origin circuits
//   pool.age(now); pool.take_retirable(...)  // freshness, at next_deadline()
//   pool.fresh()                             // circuits that may take a new stream
// It builds through the OnionRelay it is given; it never sees streams (the StreamRouter does):
// how busy a circuit is comes in as a function.
//
// Cost: O(log n) per event for n client circuits (fresh and stale sets, ordered by time).
// Not for: middle or last-hop circuits, streams, links.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "node/backoff.hpp"
#include "node/peer_directory.hpp"
#include "onion/onion_relay.hpp"

namespace zmesh::node {

struct CircuitPoolConfig {
  std::size_t hops = 3;            // 2 or 3
  std::size_t ready_circuits = 2;  // built ahead of streams (0: on demand)
  DurationUs circuit_fresh_for = 10 * 60 * kSecond;
  // After a failed build or missing relays: 0.5 s doubling to 30 s, with jitter.
  BackoffConfig build_backoff{500 * kMillisecond, 30 * kSecond, 0.25, 0};
};

struct CircuitPoolCounters {
  std::uint64_t circuits_built = 0;  // pool circuits that became ready
  std::uint64_t build_failures = 0;
  std::string last_build_error;
  // Why the last path selection failed (too few relays known, ...); empty once one succeeds.
  std::string path_unavailable;
};

class CircuitPool {
 public:
  using ProbeDone = std::function<void(Result<DurationUs>)>;

  // Every reference must outlive the pool.
  CircuitPool(const NodeId& self, PeerDirectory& directory, RandomSource& random, onion::OnionRelay& relay,
              CircuitPoolConfig config);

  void activate() { active_ = true; }
  bool active() const { return active_; }
  // Builds until building + fresh circuits reach what is wanted (ready_circuits, at least one
  // while streams wait), unless a failed build's backoff is still running.
  void maintain(Now now, std::size_t waiting_streams);
  // A circuit outside the pool; `done` runs (from on_ready / on_closed) with its build time or error.
  Status build_probe(Now now, ProbeDone done);

  // Relay events for circuits we built. on_ready: true when it is a pool circuit (it takes
  // streams from now on); a probe is closed here and answered.
  bool on_ready(Now now, onion::CircuitHandle circuit);
  // A circuit gone (failed build or closed): forgets it, answers a probe, backs off a failure.
  void on_closed(Now now, const onion::CircuitClosed& closed);
  // A circuit the caller closed itself (the relay reports no CircuitClosed for those).
  void forget(onion::CircuitHandle circuit);

  // Circuits whose freshness ended take no new streams from now on.
  void age(Now now);
  // Every fresh circuit turns stale at once (Tor's NEWNYM): new streams wait for new circuits,
  // the old ones close after their last stream.
  void retire_fresh();
  // Stale circuits that carry no stream any more (`busy` says which do): forgotten here; the
  // caller closes them.
  std::vector<onion::CircuitHandle> take_retirable(const std::function<bool(onion::CircuitHandle)>& busy);
  // The circuit of the fewest streams among the fresh ones (`load`), 0 if none is below `max`.
  onion::CircuitHandle pick(const std::function<std::size_t(onion::CircuitHandle)>& load, std::size_t max) const;

  std::size_t fresh_count() const { return fresh_until_.size(); }
  TimeUs next_deadline(std::size_t waiting_streams) const;
  const CircuitPoolCounters& counters() const { return counters_; }
  const std::deque<DurationUs>& build_times() const { return build_times_; }
  // Inspection (zmesh circuits): "building", "probe", "fresh", "stale", or nullptr for a
  // circuit the pool does not hold; when a pool circuit became ready (kNever if not yet).
  const char* state(onion::CircuitHandle circuit) const;
  TimeUs ready_at(onion::CircuitHandle circuit) const;

 private:
  Result<onion::CircuitHandle> build_one(Now now);
  void failed(Now now, std::string error);
  void record_build_time(onion::CircuitHandle circuit, Now now);
  std::size_t wanted(std::size_t waiting_streams) const;

  NodeId self_;
  PeerDirectory& directory_;
  RandomSource& random_;
  onion::OnionRelay& relay_;
  CircuitPoolConfig config_;
  bool active_ = false;
  std::size_t building_ = 0;  // pool circuits being built
  std::uint32_t failures_ = 0;  // consecutive failed builds, for the backoff
  TimeUs next_build_at_ = 0;
  std::map<onion::CircuitHandle, TimeUs> build_started_;  // pool and probe circuits being built
  std::map<onion::CircuitHandle, ProbeDone> probes_;
  std::deque<DurationUs> build_times_;  // the last 64 builds (pool and probes), oldest first
  std::set<std::pair<TimeUs, onion::CircuitHandle>> fresh_until_;  // fresh circuits, by end of freshness
  std::map<onion::CircuitHandle, TimeUs> fresh_end_;                // the same, by circuit
  std::set<onion::CircuitHandle> stale_;  // past freshness, closed once their last stream ends
  std::map<onion::CircuitHandle, TimeUs> ready_at_;  // fresh and stale circuits
  CircuitPoolCounters counters_;
};

}  // namespace zmesh::node
