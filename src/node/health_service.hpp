// Heartbeats on link channel 5 (node/channels.hpp): every node pings every peer that is up,
// once per interval, and judges each peer with a health::FailureDetector (phi-accrual plus a
// fixed missed-intervals cap, RTT smoothed per RFC 6298). Message format and rules:
// docs/protocol/heartbeat.md (the same 14-byte ping/pong as the simulator's heartbeat Core).
//
// Driving it (NodeCore does): on_peer_up creates the peer's detector, on_peer_down erases it;
// on_message answers pings with an echoing pong and feeds pongs and pings to the detector;
// on_timeout at next_deadline() runs one round for all peers at once: suspicion is evaluated,
// then one ping goes to each peer. The first round starts at a random phase in [0, interval)
// drawn from the injected RandomSource, so nodes started together do not ping in lock-step;
// with no peer up there is no timer. next_deadline() is O(1): one tick for all peers.
//
// A suspected peer is reported, not acted on: one log line (warn) on suspicion, one (info) on
// recovery, the flag in peers() and the counters. Closing links, indirect probes and gossip
// belong to later work. Suspicion is evaluated once per round (and cleared by any valid
// message), so it lags the detector's threshold crossing by less than one interval.
//
// Not for: measuring a single round trip on demand (PingService, channel 6).
//
// Bounds: at most max_peers detectors (peers beyond are answered but not tracked, counted in
// peers_not_tracked), each with a fixed-capacity window; messages are fixed-size; nothing a
// peer sends allocates. Malformed messages are counted and ignored.
#pragma once

#include <array>
#include <map>
#include <optional>
#include <vector>

#include "health/failure_detector.hpp"
#include "health/heartbeat_message.hpp"
#include "node/channels.hpp"
#include "node/service.hpp"
#include "runtime/random.hpp"

namespace zmesh::node {

struct HealthConfig {
  DurationUs interval = 1 * kSecond;  // between two pings to the same peer
  // Detector settings; heartbeat_interval is taken from `interval`.
  health::DetectorConfig detector = health::default_detector_config(1 * kSecond);
  std::size_t max_peers = 256;  // NodeCore's default max_peers
};

// A pong is accepted only for one of the last kHealthRoundsRemembered rounds.
inline constexpr std::size_t kHealthRoundsRemembered = 4;

struct HealthCounters {
  std::uint64_t rounds = 0;
  std::uint64_t pings_sent = 0;
  std::uint64_t pongs_sent = 0;
  std::uint64_t pings_received = 0;
  std::uint64_t pongs_received = 0;   // accepted: each gave an RTT sample and a heartbeat
  std::uint64_t stale_pongs = 0;      // unknown or old round, wrong echoed time, or a duplicate
  std::uint64_t malformed = 0;        // undecodable (counted and ignored)
  std::uint64_t from_untracked = 0;   // pongs from a peer we do not track
  std::uint64_t send_failures = 0;    // a ping or pong the link refused (queue full, gone)
  std::uint64_t suspicions = 0;       // a peer became suspected
  std::uint64_t recoveries = 0;       // a suspected peer was heard from again
  std::uint64_t peers_not_tracked = 0;  // on_peer_up beyond max_peers

  bool operator==(const HealthCounters&) const = default;
};

// What the service knows about one peer (inspection).
struct PeerHealth {
  NodeId peer;
  DurationUs rtt_us = 0;     // last sample; 0 before the first pong
  DurationUs srtt_us = 0;    // RFC 6298 SRTT
  DurationUs jitter_us = 0;  // RFC 6298 RTTVAR
  double phi = 0;            // at the time asked; 0 until the window has min_samples
  bool suspected = false;    // as of the latest round (or cleared by the latest message)
  DurationUs silent_us = 0;  // since the last valid message (or since the peer came up)
  std::uint64_t heartbeats = 0;
};

class HealthService final : public Service {
 public:
  // `random` must outlive the service.
  explicit HealthService(RandomSource& random, HealthConfig config = {});

  Channel channel() const override { return kChannelHealth; }
  const char* name() const override { return "health"; }
  // Heartbeats watch links; they do not keep an otherwise unused link open.
  bool messages_keep_links_in_use() const override { return false; }
  void on_attach(ServiceHost& host) override { host_ = &host; }
  void on_peer_up(Now now, const PeerInfo& peer) override;
  void on_peer_down(Now now, const NodeId& peer) override;
  void on_message(Now now, const NodeId& from, ByteView message) override;
  TimeUs next_deadline() const override { return next_round_at_; }
  void on_timeout(Now now) override;

  // Inspection: every tracked peer in NodeId order, or one (nullopt if not tracked).
  std::vector<PeerHealth> peers(TimeUs now) const;
  std::optional<PeerHealth> peer(TimeUs now, const NodeId& peer) const;
  std::size_t tracked_peers() const { return peers_.size(); }
  std::size_t suspected_count() const;
  const HealthCounters& counters() const { return counters_; }
  const HealthConfig& config() const { return config_; }

 private:
  struct PeerState {
    health::FailureDetector detector;
    std::uint32_t last_pong_sequence;  // the newest accepted round; starts at the round before the first ping
    bool suspected = false;
  };
  struct Round {
    std::uint32_t sequence = 0;
    TimeUs sent_at = -1;  // -1: empty slot
  };

  void round(Now now);
  void handle_pong(TimeUs now, PeerState& state, const NodeId& from, const health::HeartbeatMessage& pong);
  // Any valid message from a tracked peer; `heartbeat`: an accepted pong (a window sample).
  void heard(TimeUs now, PeerState& state, const NodeId& from, bool heartbeat);
  bool is_recent_round(const health::HeartbeatMessage& pong) const;
  void log(log::Level level, std::string text);
  void send(Now now, const NodeId& to, const health::HeartbeatMessage& message, std::uint64_t& counter);
  PeerHealth report(TimeUs now, const NodeId& id, const PeerState& state) const;

  RandomSource& random_;
  HealthConfig config_;
  ServiceHost* host_ = nullptr;
  std::map<NodeId, PeerState> peers_;
  std::array<Round, kHealthRoundsRemembered> rounds_{};  // ring indexed by sequence
  std::uint32_t sequence_ = 0;                            // of the latest round
  TimeUs next_round_at_ = kNever;
  HealthCounters counters_;
};

}  // namespace zmesh::node
