// Helpers for WebRTC tests on loopback: engines restricted to 127.0.0.1, a pair of sessions
// joined by in-process signaling, deterministic payloads and a collector for one connection.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include "io/event_loop.hpp"
#include "io/webrtc/rtc_engine.hpp"
#include "io/webrtc/webrtc_connection.hpp"
#include "runtime/random.hpp"

namespace zmesh::io::webrtc::test {

inline constexpr DurationUs kGenerous = 30 * kSecond;  // a bound for real sockets, never logic

inline RtcConfig loopback_config() {
  RtcConfig config;
  config.local_addresses = {"127.0.0.1"};
  config.accept_remote_candidate = is_loopback_candidate;
  return config;
}

inline std::unique_ptr<EventLoop> make_loop() {
  auto loop = EventLoop::create();
  if (!loop.ok()) std::abort();
  return std::move(loop.value());
}

inline std::unique_ptr<RtcEngine> make_engine(EventLoop& loop, RandomSource& random, RtcConfig config = loopback_config()) {
  auto engine = RtcEngine::create(loop, random, std::move(config));
  if (!engine.ok()) {
    ADD_FAILURE() << engine.error().describe();
    std::abort();
  }
  return std::move(engine.value());
}

// Byte j of message `index` from `side`: what the browser test page computes too
// (web/test/webrtc_peer.js), so both ends can check each other byte for byte.
inline Bytes pattern(std::size_t size, std::uint32_t index, std::uint32_t side) {
  Bytes out(size);
  for (std::size_t j = 0; j < size; ++j) {
    out[j] = static_cast<std::uint8_t>((j * 131 + index * 7 + side * 29 + (j >> 8)) & 0xff);
  }
  return out;
}

struct SessionResult {
  std::unique_ptr<Connection> connection;
  std::optional<Error> error;
  bool done = false;
};

// Rewrites what one side sends (a man in the middle of signaling).
class Tampering final : public SignalingChannel {
 public:
  Tampering(std::unique_ptr<SignalingChannel> inner, std::function<void(SignalMessage&)> tamper)
      : inner_(std::move(inner)), tamper_(std::move(tamper)) {}
  Status send(const SignalMessage& message) override {
    SignalMessage copy = message;
    tamper_(copy);
    return inner_->send(copy);
  }
  void on_message(MessageCallback callback) override { inner_->on_message(std::move(callback)); }
  void on_close(CloseCallback callback) override { inner_->on_close(std::move(callback)); }

 private:
  std::unique_ptr<SignalingChannel> inner_;
  std::function<void(SignalMessage&)> tamper_;
};

// Offerer on `a`, answerer on `b`, signaling through an in-process pair (optionally rewritten
// by `tamper`, e.g. to break a fingerprint).
struct SessionPair {
  SessionResult offerer, answerer;
  std::unique_ptr<RtcSession> offer_session, answer_session;

  using Tamper = std::function<void(SignalMessage&)>;
  SessionPair(RtcEngine& a, RtcEngine& b, EventLoop& loop, Tamper tamper_offerer_output = {},
              Tamper tamper_answerer_output = {}) {
    auto [sa, sb] = make_signaling_pair(loop);
    if (tamper_offerer_output) sa = std::make_unique<Tampering>(std::move(sa), std::move(tamper_offerer_output));
    if (tamper_answerer_output) sb = std::make_unique<Tampering>(std::move(sb), std::move(tamper_answerer_output));
    offer_session = RtcSession::start(a, std::move(sa), RtcSession::Role::offerer, callback(offerer));
    answer_session = RtcSession::start(b, std::move(sb), RtcSession::Role::answerer, callback(answerer));
  }
  static RtcSession::Callback callback(SessionResult& out) {
    return [&out](Result<std::unique_ptr<Connection>> result) {
      out.done = true;
      if (result.ok()) {
        out.connection = std::move(result.value());
      } else {
        out.error = result.error();
      }
    };
  }
  bool wait(EventLoop& loop) {
    return loop.run_until([&] { return offerer.done && answerer.done; }, kGenerous);
  }
};

// Collects messages and the close reason of a connection.
struct Collector {
  explicit Collector(Connection& c) {
    c.on_data([this](ByteView m) { messages.emplace_back(m.begin(), m.end()); });
    c.on_close([this](const CloseReason& r) { reason = r; });
  }
  std::vector<Bytes> messages;
  std::optional<CloseReason> reason;
};

}  // namespace zmesh::io::webrtc::test
