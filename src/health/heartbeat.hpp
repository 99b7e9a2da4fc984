// Heartbeats over a fixed neighbour set, as a runtime Core (runtime/core.hpp): the protocol
// the simulator demo (`zmesh demo`, tests/sim/heartbeat_mesh_test.cpp) runs. Every interval
// the node pings each neighbour; a neighbour answers with a pong echoing the ping. Any valid
// message from a neighbour (its pings or its pongs) is evidence that it is alive.
//
// The judgement is a health::FailureDetector per neighbour (health/failure_detector.hpp),
// evaluated at every round. By default only its fixed rule is on: a neighbour silent for
// `suspect_after_missed` whole intervals is suspected (Chandra & Toueg's timeout detector);
// hearing from it again clears the suspicion at once. Set `phi_threshold` to add the adaptive
// phi-accrual rule. Real nodes run node::HealthService (node/health_service.hpp) instead,
// which uses the same detector and message format on link channel 5.
//
// Detection bound (fixed rule): a neighbour that crashes at t is suspected by
//   t + max one-way delay + (suspect_after_missed + 1) * interval.
#pragma once

#include <cstdint>
#include <vector>

#include "health/failure_detector.hpp"
#include "health/heartbeat_message.hpp"
#include "runtime/core.hpp"
#include "runtime/random.hpp"

namespace zmesh::health {

struct HeartbeatConfig {
  DurationUs interval = 1 * kSecond;
  std::uint32_t suspect_after_missed = 3;  // whole silent intervals before suspicion (>= 1)
  std::size_t max_neighbours = 256;        // extra neighbours given at construction are ignored
  std::size_t max_outbox_messages = 1024;
  double phi_threshold = 0;                // > 0 adds the phi-accrual rule (defaults otherwise)
};

struct HeartbeatCounters {
  std::uint64_t pings_sent = 0;
  std::uint64_t pongs_sent = 0;
  std::uint64_t pings_received = 0;
  std::uint64_t pongs_received = 0;   // valid pongs from neighbours (each gives an RTT sample)
  std::uint64_t stale_pongs = 0;      // pongs for pings too old, or echoing a time in the future
  std::uint64_t malformed = 0;        // undecodable messages (counted and ignored)
  std::uint64_t from_strangers = 0;   // pongs from peers that are not neighbours
  std::uint64_t outbox_full = 0;      // messages not queued because the outbox was full
  std::uint64_t suspicions = 0;       // neighbour became suspected
  std::uint64_t recoveries = 0;       // suspected neighbour heard from again
};

struct NeighbourState {
  PeerHandle peer = 0;
  FailureDetector detector;  // RTT (RFC 6298), silence, phi
  bool suspected = false;    // as of the latest round, or cleared by the latest message

  TimeUs last_heard_at() const { return detector.heard() ? detector.last_alive_at() : -1; }  // -1: never
  DurationUs last_rtt_us() const { return detector.rtt().last_us(); }  // 0 until the first pong
  DurationUs srtt_us() const { return detector.rtt().srtt_us(); }      // 0 until the first pong
};

// Optional hooks for drivers and tools (the demo collects RTTs through it). Called from
// inside on_receive / on_timeout; must not call back into the service.
class HeartbeatObserver {
 public:
  virtual ~HeartbeatObserver() = default;
  virtual void on_rtt_sample(PeerHandle /*peer*/, DurationUs /*rtt_us*/) {}
  virtual void on_suspected(PeerHandle /*peer*/, TimeUs /*now*/) {}
  virtual void on_recovered(PeerHandle /*peer*/, TimeUs /*now*/) {}
};

class HeartbeatService final : public Core {
 public:
  // `random` picks the phase of the first ping so that nodes started together do not ping in
  // lock-step. It must outlive the service. `observer` may be null.
  HeartbeatService(std::vector<PeerHandle> neighbours, HeartbeatConfig config, RandomSource& random,
                   HeartbeatObserver* observer = nullptr);

  void on_start(TimeUs now) override;
  void on_receive(TimeUs now, PeerHandle from, ByteView payload) override;
  void on_timeout(TimeUs now) override;
  TimeUs next_deadline() const override { return next_tick_at_; }
  std::optional<Transmit> poll_transmit() override { return outbox_.pop(); }

  const HeartbeatCounters& counters() const { return counters_; }
  const std::vector<NeighbourState>& neighbours() const { return neighbours_; }
  const NeighbourState* neighbour(PeerHandle peer) const;
  bool is_suspected(PeerHandle peer) const;
  std::size_t suspected_count() const;

 private:
  NeighbourState* find(PeerHandle peer);
  DetectorConfig detector_config() const;
  void tick(TimeUs now);
  void heard_from(NeighbourState& n, TimeUs now);
  void handle_pong(NeighbourState& n, const HeartbeatMessage& pong, TimeUs now);
  void send(PeerHandle to, const HeartbeatMessage& message, std::uint64_t& counter);

  HeartbeatConfig config_;
  RandomSource& random_;
  HeartbeatObserver* observer_;
  std::vector<NeighbourState> neighbours_;  // sorted by peer
  Outbox outbox_;
  TimeUs next_tick_at_ = kNever;
  std::uint32_t sequence_ = 0;  // of the latest ping round
  std::uint64_t ticks_ = 0;
  HeartbeatCounters counters_;
};

}  // namespace zmesh::health
