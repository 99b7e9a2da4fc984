// How offers, answers and candidates reach the other peer. Implementations: a WebSocket to a
// node's signaling endpoint (ws_signaling.hpp, docs/protocol/signaling.md), an in-process pair
// for tests and benchmarks (below), and later a relay through a common zMesh neighbour.
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "io/event_loop.hpp"
#include "io/webrtc/signal_message.hpp"

namespace zmesh::io::webrtc {

class SignalingChannel {
 public:
  using MessageCallback = std::function<void(const SignalMessage& message)>;
  using CloseCallback = std::function<void(const Error& reason)>;
  virtual ~SignalingChannel() = default;
  virtual Status send(const SignalMessage& message) = 0;
  // Messages the peer sent, in order. The owner may destroy the channel inside the callback.
  virtual void on_message(MessageCallback callback) = 0;
  // The path to the peer is gone (fires at most once, from the loop).
  virtual void on_close(CloseCallback callback) = 0;
};

// Two connected in-process channels; every message is delivered from the loop, as over a
// network. Destroying one side closes the other.
std::pair<std::unique_ptr<SignalingChannel>, std::unique_ptr<SignalingChannel>> make_signaling_pair(EventLoop& loop);

}  // namespace zmesh::io::webrtc
