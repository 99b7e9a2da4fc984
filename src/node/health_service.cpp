#include "node/health_service.hpp"

#include <algorithm>
#include <cstdio>

namespace zmesh::node {
namespace {

using health::HeartbeatMessage;
using health::HeartbeatType;

std::string milliseconds(DurationUs us) { return std::to_string(us / kMillisecond) + " ms"; }

std::string phi_text(double phi) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", std::min(phi, 1e6));
  return buf;
}

HealthConfig sanitized(HealthConfig config) {
  if (config.interval <= 0) config.interval = kSecond;
  config.detector.heartbeat_interval = config.interval;
  return config;
}

}  // namespace

HealthService::HealthService(RandomSource& random, HealthConfig config) : random_(random), config_(sanitized(config)) {}

void HealthService::on_peer_up(Now now, const PeerInfo& peer) {
  if (peers_.size() >= config_.max_peers && !peers_.count(peer.node_id)) {
    ++counters_.peers_not_tracked;
    return;
  }
  // Silence counts from now; the first ping goes out with the next round (within one interval).
  peers_.insert_or_assign(peer.node_id, PeerState{health::FailureDetector(config_.detector, now.mono), sequence_, false});
  if (next_round_at_ == kNever) {
    // A random phase: nodes (and links) that come up together do not ping in lock-step.
    next_round_at_ = now.mono + static_cast<DurationUs>(random_.uniform(static_cast<std::uint64_t>(config_.interval)));
  }
}

void HealthService::on_peer_down(Now /*now*/, const NodeId& peer) {
  peers_.erase(peer);
  if (peers_.empty()) next_round_at_ = kNever;
}

void HealthService::on_timeout(Now now) {
  if (now.mono < next_round_at_) return;
  round(now);
  next_round_at_ += config_.interval;
  if (next_round_at_ <= now.mono) next_round_at_ = now.mono + config_.interval;  // the driver was late: skip, don't burst
}

void HealthService::round(Now at) {
  const TimeUs now = at.mono;
  ++counters_.rounds;
  ++sequence_;
  rounds_[sequence_ % kHealthRoundsRemembered] = Round{sequence_, now};
  const HeartbeatMessage ping{HeartbeatType::ping, sequence_, now};
  for (auto& [id, state] : peers_) {
    if (!state.suspected && state.detector.suspected(now)) {
      state.suspected = true;
      ++counters_.suspicions;
      log(log::Level::warn, "health: peer " + id.short_hex() + " suspected: silent " +
                                       milliseconds(now - state.detector.last_alive_at()) + ", phi " +
                                       phi_text(state.detector.phi(now)));
    }
    // Suspected peers keep being pinged: their answer is how they recover.
    send(at, id, ping, counters_.pings_sent);
  }
}

void HealthService::on_message(Now at, const NodeId& from, ByteView message) {
  const TimeUs now = at.mono;
  auto decoded = health::decode_heartbeat(message);
  if (!decoded.ok()) {
    ++counters_.malformed;
    return;
  }
  const HeartbeatMessage& m = decoded.value();
  auto it = peers_.find(from);
  if (m.type == HeartbeatType::ping) {
    ++counters_.pings_received;
    // Any peer that is up may ask; the pong is the ping's size (no amplification).
    send(at, from, HeartbeatMessage{HeartbeatType::pong, m.sequence, m.sent_at}, counters_.pongs_sent);
    if (it != peers_.end()) heard(now, it->second, from, false);
    return;
  }
  if (it == peers_.end()) {
    ++counters_.from_untracked;
    return;
  }
  handle_pong(now, it->second, from, m);
}

bool HealthService::is_recent_round(const HeartbeatMessage& pong) const {
  const Round& r = rounds_[pong.sequence % kHealthRoundsRemembered];
  return r.sent_at >= 0 && r.sequence == pong.sequence && r.sent_at == pong.sent_at;
}

void HealthService::handle_pong(TimeUs now, PeerState& state, const NodeId& from, const HeartbeatMessage& pong) {
  // Only the echo of one of our recent rounds, exactly as sent, newer than the peer's last
  // accepted pong: a replayed, duplicated or invented pong neither keeps a dead peer alive nor
  // adds a sample. Sequences wrap, so "newer" is a signed modular difference.
  const auto newer = static_cast<std::int32_t>(pong.sequence - state.last_pong_sequence) > 0;
  if (!is_recent_round(pong) || !newer) {
    ++counters_.stale_pongs;
    return;
  }
  ++counters_.pongs_received;
  state.last_pong_sequence = pong.sequence;
  state.detector.record_rtt(now - pong.sent_at);
  heard(now, state, from, true);
}

void HealthService::heard(TimeUs now, PeerState& state, const NodeId& from, bool heartbeat) {
  const TimeUs silent_since = state.detector.last_alive_at();
  // record_heartbeat looks at the silence it ends (an outage is not a sample): before anything else.
  if (heartbeat) {
    state.detector.record_heartbeat(now);
  } else {
    state.detector.record_alive(now);
  }
  if (!state.suspected) return;
  state.suspected = false;
  ++counters_.recoveries;
  log(log::Level::info, "health: peer " + from.short_hex() + " recovered after " + milliseconds(now - silent_since) +
                            " of silence");
}

void HealthService::log(log::Level level, std::string text) {
  if (host_) host_->log(level, std::move(text));
}

void HealthService::send(Now now, const NodeId& to, const HeartbeatMessage& message, std::uint64_t& counter) {
  if (host_ && host_->send(now, to, channel(), health::encode(message)).ok()) {
    ++counter;
  } else {
    ++counters_.send_failures;
  }
}

PeerHealth HealthService::report(TimeUs now, const NodeId& id, const PeerState& state) const {
  const health::FailureDetector& d = state.detector;
  PeerHealth h;
  h.peer = id;
  h.rtt_us = d.rtt().last_us();
  h.srtt_us = d.rtt().srtt_us();
  h.jitter_us = d.rtt().rttvar_us();
  h.phi = d.phi(now);
  h.suspected = state.suspected;
  h.silent_us = now > d.last_alive_at() ? now - d.last_alive_at() : 0;
  h.heartbeats = d.heartbeats();
  return h;
}

std::vector<PeerHealth> HealthService::peers(TimeUs now) const {
  std::vector<PeerHealth> out;
  out.reserve(peers_.size());
  for (const auto& [id, state] : peers_) out.push_back(report(now, id, state));
  return out;
}

std::optional<PeerHealth> HealthService::peer(TimeUs now, const NodeId& id) const {
  auto it = peers_.find(id);
  if (it == peers_.end()) return std::nullopt;
  return report(now, id, it->second);
}

std::size_t HealthService::suspected_count() const {
  return static_cast<std::size_t>(
      std::count_if(peers_.begin(), peers_.end(), [](const auto& entry) { return entry.second.suspected; }));
}

}  // namespace zmesh::node
