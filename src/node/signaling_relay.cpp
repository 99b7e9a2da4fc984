#include "node/signaling_relay.hpp"

#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::node {

Bytes encode_relay_message(RelayKind kind, const NodeId& peer, std::uint64_t session, ByteView payload) {
  wire::Writer out(kRelayHeaderBytes + payload.size());
  out.u8(static_cast<std::uint8_t>(kind)).bytes(peer.bytes).u64(session).bytes(payload);
  return out.take();
}

Result<RelayMessage> decode_relay_message(ByteView message) {
  if (message.size() > kRelayHeaderBytes + kMaxRelayedSignalBytes) {
    return make_error(Errc::too_large, "relayed signal larger than 16 KiB");
  }
  wire::Reader in(message);
  RelayMessage out;
  ZM_TRY(std::uint8_t kind, in.u8());
  if (kind < 1 || kind > 3) return make_error(Errc::malformed, "unknown signaling relay message kind");
  out.kind = static_cast<RelayKind>(kind);
  ZM_TRY(out.peer.bytes, in.array<NodeId::kBytes>());
  ZM_TRY(out.session, in.u64());
  out.payload = in.rest();
  if (out.kind == RelayKind::unreachable && !out.payload.empty()) {
    return make_error(Errc::malformed, "unreachable carries no payload");
  }
  return out;
}

Status SignalingRelay::send(Now now, const NodeId& via, const NodeId& to, std::uint64_t session, ByteView payload) {
  if (host_ == nullptr) return make_error(Errc::closed, "signaling relay not attached");
  if (payload.size() > kMaxRelayedSignalBytes) return make_error(Errc::too_large, "signal larger than 16 KiB");
  ZM_CHECK(host_->send(now, via, channel(), encode_relay_message(RelayKind::forward, to, session, payload)));
  ++counters_.sent;
  return {};
}

std::optional<RelayedSignal> SignalingRelay::poll() {
  if (pending_.empty()) return std::nullopt;
  RelayedSignal out = std::move(pending_.front());
  pending_.pop_front();
  return out;
}

void SignalingRelay::on_message(Now now, const NodeId& from, ByteView message) {
  auto decoded = decode_relay_message(message);
  if (!decoded.ok()) {
    ++counters_.malformed;
    return;
  }
  const RelayMessage& m = decoded.value();
  switch (m.kind) {
    case RelayKind::forward: relay(now, from, m); break;
    case RelayKind::deliver: receive(from, m.peer, m.session, false, m.payload); break;
    case RelayKind::unreachable: receive(from, m.peer, m.session, true, {}); break;
  }
}

void SignalingRelay::relay(Now now, const NodeId& from, const RelayMessage& m) {
  if (m.peer == from) {
    ++counters_.malformed;
    return;
  }
  if (!limiter_.allow(from.hex(), now.mono)) {
    ++counters_.rate_limited;
    return;
  }
  if (m.peer == host_->self_id()) {  // for us: the sender is our neighbour
    receive(from, from, m.session, false, m.payload);
    return;
  }
  if (host_->send(now, m.peer, channel(), encode_relay_message(RelayKind::deliver, from, m.session, m.payload)).ok()) {
    ++counters_.forwarded;
    return;
  }
  // Not linked to the recipient (or its queue is full): tell the sender, best effort.
  ++counters_.unreachable;
  (void)host_->send(now, from, channel(), encode_relay_message(RelayKind::unreachable, m.peer, m.session, {}));
}

void SignalingRelay::receive(const NodeId& via, const NodeId& from, std::uint64_t session, bool unreachable,
                             ByteView payload) {
  if (pending_.size() >= config_.max_pending) {
    ++counters_.dropped_full;
    return;
  }
  ++counters_.received;
  pending_.push_back(RelayedSignal{via, from, session, unreachable, Bytes(payload.begin(), payload.end())});
}

}  // namespace zmesh::node
