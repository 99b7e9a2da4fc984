// WebRTC signaling through a common zMesh neighbour inside `zmesh node`: the SignalingChannel
// behind "webrtc+relay://VIA/TO" dials, and the answering side for offers that arrive that way.
// The messages travel in node::SignalingRelay (channel 4); this class turns them into
// SignalingChannels for io::webrtc::RtcSession, one per (neighbour, peer, session).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string_view>

#include "app/deferred_drain.hpp"
#include "io/transport.hpp"
#include "io/webrtc/rtc_engine.hpp"
#include "io/webrtc/webrtc_connection.hpp"
#include "node/signaling_relay.hpp"
#include "util/lifetime.hpp"

namespace zmesh::app {

// Offers answered at once through relays; more are ignored until some finish (each ends by
// itself within the engine's connect timeout).
inline constexpr std::size_t kMaxRelayedSetups = 16;

struct RelayTarget {
  NodeId via;  // the neighbour that relays (may equal `to`: signaling straight to a neighbour)
  NodeId to;
};
// "webrtc+relay://VIA_NODE_ID/TO_NODE_ID" (64 hex digits each).
Result<RelayTarget> parse_relay_url(std::string_view url);
bool is_relay_url(std::string_view url);

class RelaySignaling {
 public:
  // Signals that RtcSessions send from their own callbacks ask `drain` to send what the relay
  // service queued.
  RelaySignaling(io::webrtc::RtcEngine& engine, node::SignalingRelay& relay, DeferredDrain& drain,
                 io::Listener::AcceptCallback on_accept);
  ~RelaySignaling();
  RelaySignaling(const RelaySignaling&) = delete;
  RelaySignaling& operator=(const RelaySignaling&) = delete;

  void dial(std::uint64_t id, const RelayTarget& target, io::DialCallback done);
  void cancel_dials() { dials_.clear(); }
  // Hands every signal the relay service received to its session (or starts an answering one).
  // True when there was any.
  bool poll();

 private:
  class Channel;
  struct Key {
    NodeId via;
    NodeId peer;
    std::uint64_t session = 0;
    auto operator<=>(const Key&) const = default;
  };
  std::unique_ptr<Channel> open_channel(const Key& key);
  void answer(const Key& key, Bytes first_signal);

  io::webrtc::RtcEngine& engine_;
  node::SignalingRelay& relay_;
  DeferredDrain& drain_;
  io::Listener::AcceptCallback on_accept_;
  std::map<Key, Channel*> channels_;
  std::map<std::uint64_t, std::unique_ptr<io::webrtc::RtcSession>> dials_;
  std::map<io::webrtc::RtcSession*, std::unique_ptr<io::webrtc::RtcSession>> answering_;
  LifetimeGuard alive_;
};

}  // namespace zmesh::app
