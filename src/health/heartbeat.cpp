#include "health/heartbeat.hpp"

#include <algorithm>

namespace zmesh::health {
namespace {

bool by_peer(const NeighbourState& n, PeerHandle peer) { return n.peer < peer; }

}  // namespace

HeartbeatService::HeartbeatService(std::vector<PeerHandle> neighbours, HeartbeatConfig config, RandomSource& random,
                                   HeartbeatObserver* observer)
    : config_(config), random_(random), observer_(observer), outbox_(config.max_outbox_messages) {
  if (config_.interval <= 0) config_.interval = kSecond;
  if (config_.suspect_after_missed == 0) config_.suspect_after_missed = 1;
  std::sort(neighbours.begin(), neighbours.end());
  neighbours.erase(std::unique(neighbours.begin(), neighbours.end()), neighbours.end());
  if (neighbours.size() > config_.max_neighbours) neighbours.resize(config_.max_neighbours);
  neighbours_.reserve(neighbours.size());
  for (PeerHandle peer : neighbours) neighbours_.push_back(NeighbourState{peer, FailureDetector(detector_config(), 0)});
}

DetectorConfig HeartbeatService::detector_config() const {
  DetectorConfig detector = default_detector_config(config_.interval);
  detector.suspect_after_missed = config_.suspect_after_missed;
  detector.phi_threshold = config_.phi_threshold;
  // Without phi the window only costs memory (8 bytes a sample per neighbour, per node).
  if (!(detector.phi_threshold > 0)) detector.window_samples = detector.min_samples = 1;
  return detector;
}

void HeartbeatService::on_start(TimeUs now) {
  // A random phase in [0, interval): nodes that start at the same instant spread their pings.
  next_tick_at_ = now + static_cast<DurationUs>(random_.uniform(static_cast<std::uint64_t>(config_.interval)));
  // Silence is counted from the first round: nothing had been asked before it.
  for (NeighbourState& n : neighbours_) n.detector = FailureDetector(detector_config(), next_tick_at_);
}

void HeartbeatService::on_timeout(TimeUs now) {
  if (now < next_tick_at_) return;
  tick(now);
  next_tick_at_ += config_.interval;
  if (next_tick_at_ <= now) next_tick_at_ = now + config_.interval;  // the driver was late: skip, don't burst
}

void HeartbeatService::tick(TimeUs now) {
  ++sequence_;
  const HeartbeatMessage ping{HeartbeatType::ping, sequence_, now};
  for (NeighbourState& n : neighbours_) {
    if (!n.suspected && n.detector.suspected(now)) {
      n.suspected = true;
      ++counters_.suspicions;
      if (observer_) observer_->on_suspected(n.peer, now);
    }
    send(n.peer, ping, counters_.pings_sent);
  }
  ++ticks_;
}

void HeartbeatService::on_receive(TimeUs now, PeerHandle from, ByteView payload) {
  auto decoded = decode_heartbeat(payload);
  if (!decoded.ok()) {
    ++counters_.malformed;
    return;
  }
  const HeartbeatMessage& message = *decoded;
  NeighbourState* n = find(from);
  if (message.type == HeartbeatType::ping) {
    ++counters_.pings_received;
    // Anyone may ask whether we are alive; the pong is no larger than the ping (no amplification).
    send(from, HeartbeatMessage{HeartbeatType::pong, message.sequence, message.sent_at}, counters_.pongs_sent);
    if (n) heard_from(*n, now);
    return;
  }
  if (!n) {
    ++counters_.from_strangers;
    return;
  }
  handle_pong(*n, message, now);
}

void HeartbeatService::handle_pong(NeighbourState& n, const HeartbeatMessage& pong, TimeUs now) {
  // Accept only pongs for one of our recent rounds that echo a plausible time: a replayed or
  // invented pong must not make a dead neighbour look alive for long, nor poison the RTT.
  const std::uint32_t age = sequence_ - pong.sequence;  // modulo 2^32, as the sequence wraps
  if (ticks_ == 0 || age > config_.suspect_after_missed || pong.sent_at > now ||
      now - pong.sent_at > static_cast<DurationUs>(config_.suspect_after_missed + 1) * config_.interval) {
    ++counters_.stale_pongs;
    return;
  }
  ++counters_.pongs_received;
  const DurationUs rtt = now - pong.sent_at;
  n.detector.record_rtt(rtt);
  if (observer_) observer_->on_rtt_sample(n.peer, rtt);
  n.detector.record_heartbeat(now);
  heard_from(n, now);
}

void HeartbeatService::heard_from(NeighbourState& n, TimeUs now) {
  n.detector.record_alive(now);
  if (n.suspected) {
    n.suspected = false;
    ++counters_.recoveries;
    if (observer_) observer_->on_recovered(n.peer, now);
  }
}

void HeartbeatService::send(PeerHandle to, const HeartbeatMessage& message, std::uint64_t& counter) {
  if (outbox_.push(to, encode(message))) {
    ++counter;
  } else {
    ++counters_.outbox_full;
  }
}

NeighbourState* HeartbeatService::find(PeerHandle peer) {
  auto it = std::lower_bound(neighbours_.begin(), neighbours_.end(), peer, by_peer);
  return it != neighbours_.end() && it->peer == peer ? &*it : nullptr;
}

const NeighbourState* HeartbeatService::neighbour(PeerHandle peer) const {
  return const_cast<HeartbeatService*>(this)->find(peer);
}

bool HeartbeatService::is_suspected(PeerHandle peer) const {
  const NeighbourState* n = neighbour(peer);
  return n && n->suspected;
}

std::size_t HeartbeatService::suspected_count() const {
  return static_cast<std::size_t>(std::count_if(neighbours_.begin(), neighbours_.end(), [](const NeighbourState& n) { return n.suspected; }));
}

}  // namespace zmesh::health
