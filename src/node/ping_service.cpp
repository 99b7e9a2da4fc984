#include "node/ping_service.hpp"

#include "crypto/secure.hpp"

namespace zmesh::node {

const char* ping_status_name(PingStatus status) {
  switch (status) {
    case PingStatus::ok: return "ok";
    case PingStatus::corrupted: return "corrupted";
    case PingStatus::timeout: return "timeout";
    case PingStatus::peer_down: return "peer_down";
  }
  return "?";
}

Result<std::uint64_t> PingService::ping(Now now, const NodeId& peer, ByteView payload) {
  if (!host_) return make_error(Errc::closed, "ping service not attached to a node");
  if (payload.size() > kMaxPingPayloadBytes) {
    return make_error(Errc::too_large, "ping payload above " + std::to_string(kMaxPingPayloadBytes) + " bytes");
  }
  if (outstanding_.size() + results_.size() >= config_.max_outstanding) {
    return make_error(Errc::limit_exceeded, "too many outstanding pings");
  }
  const std::uint64_t id = next_id_++;
  ZM_CHECK(host_->send(now, peer, channel(), encode_ping(PingKind::request, id, payload)));
  ++counters_.requests_sent;
  outstanding_.emplace(id, Outstanding{peer, now.mono, now.mono + config_.timeout, crypto::blake2b_256(payload), payload.size()});
  deadlines_.emplace(now.mono + config_.timeout, id);
  return id;
}

void PingService::on_message(Now now, const NodeId& from, ByteView message) {
  auto decoded = decode_ping(message);
  if (!decoded.ok()) {
    ++counters_.malformed;
    return;
  }
  const PingMessage& ping = decoded.value();
  if (ping.kind == PingKind::reply) {
    handle_reply(now, from, ping);
    return;
  }
  if (host_->send(now, from, channel(), encode_ping(PingKind::reply, ping.id, ping.payload)).ok()) {
    ++counters_.requests_answered;
  } else {
    ++counters_.answer_send_failures;
  }
}

void PingService::handle_reply(Now now, const NodeId& from, const PingMessage& reply) {
  auto it = outstanding_.find(reply.id);
  if (it == outstanding_.end() || it->second.peer != from) {
    ++counters_.replies_unexpected;
    return;
  }
  ++counters_.replies_received;
  const crypto::Hash256 digest = crypto::blake2b_256(reply.payload);
  const bool intact = reply.payload.size() == it->second.size && crypto::constant_time_equal(digest, it->second.digest);
  finish(it, intact ? PingStatus::ok : PingStatus::corrupted, now.mono - it->second.sent_at);
}

void PingService::finish(std::map<std::uint64_t, Outstanding>::iterator it, PingStatus status, DurationUs rtt) {
  deadlines_.erase({it->second.deadline, it->first});
  results_.push_back(PingResult{it->first, it->second.peer, status, rtt, it->second.size});
  outstanding_.erase(it);
}

void PingService::on_peer_down(Now /*now*/, const NodeId& peer) {
  for (auto it = outstanding_.begin(); it != outstanding_.end();) {
    auto next = std::next(it);
    if (it->second.peer == peer) finish(it, PingStatus::peer_down, 0);
    it = next;
  }
}

TimeUs PingService::next_deadline() const { return deadlines_.empty() ? kNever : deadlines_.begin()->first; }

void PingService::on_timeout(Now now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now.mono) {
    finish(outstanding_.find(deadlines_.begin()->second), PingStatus::timeout, 0);
  }
}

std::optional<PingResult> PingService::poll_result() {
  if (results_.empty()) return std::nullopt;
  PingResult result = std::move(results_.front());
  results_.pop_front();
  return result;
}

}  // namespace zmesh::node
