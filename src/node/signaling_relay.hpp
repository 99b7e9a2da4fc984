// WebRTC signaling through a common neighbour, on link channel 4 (docs/protocol/signaling.md
// "Through a zMesh peer"). Node A, linked to R, wants a WebRTC link to C, also linked to R:
// A sends `forward{to: C, session, signal}` to R; R checks and rate-limits, then sends
// `deliver{from: A, session, signal}` to C; C answers the same way back through R. A relay
// that cannot reach the recipient answers `unreachable{C, session}`. The signal payload (one
// JSON message of the WebSocket protocol) is opaque here; the zMesh link handshake over the
// resulting data channel authenticates both ends, so a lying relay can only make setups fail.
// `forward` with `to` = the relay itself is delivered to the relay (a direct neighbour).
#pragma once

#include <deque>
#include <optional>

#include "node/channels.hpp"
#include "node/rate_limiter.hpp"
#include "node/service.hpp"

namespace zmesh::node {

inline constexpr std::size_t kMaxRelayedSignalBytes = 16 * 1024;

enum class RelayKind : std::uint8_t { forward = 1, deliver = 2, unreachable = 3 };

// kind (u8) | node id (32 bytes) | session (u64, big-endian) | payload (the rest)
struct RelayMessage {
  RelayKind kind = RelayKind::forward;
  NodeId peer;  // forward: the recipient; deliver: the sender; unreachable: the recipient
  std::uint64_t session = 0;
  ByteView payload;  // forward / deliver only; ≤ kMaxRelayedSignalBytes
};
inline constexpr std::size_t kRelayHeaderBytes = 1 + NodeId::kBytes + 8;

Bytes encode_relay_message(RelayKind kind, const NodeId& peer, std::uint64_t session, ByteView payload);
// Errc::truncated, malformed (unknown kind, payload on unreachable) or too_large.
Result<RelayMessage> decode_relay_message(ByteView message);

// What reached us: a signal from `from` relayed by `via`, or (`unreachable`) news that `via`
// could not pass our signal on to `from`.
struct RelayedSignal {
  NodeId via;
  NodeId from;
  std::uint64_t session = 0;
  bool unreachable = false;
  Bytes payload;
};

struct SignalingRelayConfig {
  RateLimitConfig forward_rate{20.0, 100.0, 1024};  // forwards per second we take from one neighbour
  std::size_t max_pending = 256;                    // received signals not yet polled
};

struct SignalingRelayCounters {
  std::uint64_t sent = 0;
  std::uint64_t forwarded = 0;     // relayed for a neighbour
  std::uint64_t received = 0;      // delivered to us (polled or pending)
  std::uint64_t unreachable = 0;   // forwards we could not pass on
  std::uint64_t rate_limited = 0;  // forwards refused by the per-neighbour rate limit
  std::uint64_t malformed = 0;
  std::uint64_t dropped_full = 0;  // arrived while max_pending signals were unpolled
};

class SignalingRelay final : public Service {
 public:
  explicit SignalingRelay(SignalingRelayConfig config = {}) : config_(config), limiter_(config.forward_rate) {}

  Channel channel() const override { return kChannelSignaling; }
  const char* name() const override { return "signaling"; }
  void on_attach(ServiceHost& host) override { host_ = &host; }
  void on_message(Now now, const NodeId& from, ByteView message) override;

  // Sends `payload` to `to` through the neighbour `via` (`via` = `to` for a direct neighbour).
  // Errors: not_found (no link to `via`), limit_exceeded (its queue is full), too_large, closed.
  Status send(Now now, const NodeId& via, const NodeId& to, std::uint64_t session, ByteView payload);
  std::optional<RelayedSignal> poll();
  bool is_up(const NodeId& peer) const { return host_ != nullptr && host_->is_up(peer); }
  const SignalingRelayCounters& counters() const { return counters_; }

 private:
  void relay(Now now, const NodeId& from, const RelayMessage& message);
  void receive(const NodeId& via, const NodeId& from, std::uint64_t session, bool unreachable, ByteView payload);

  SignalingRelayConfig config_;
  ServiceHost* host_ = nullptr;
  HandshakeRateLimiter limiter_;
  std::deque<RelayedSignal> pending_;
  SignalingRelayCounters counters_;
};

}  // namespace zmesh::node
