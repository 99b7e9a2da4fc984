// The WebRTC transports inside `zmesh node`: NodeRuntime drives them like tcp:// and ws://.
//  - one RtcEngine per node (STUN/TURN servers and ICE addresses from WebRtcOptions);
//  - every ws:// listener also serves WebRTC signaling at /webrtc on its HTTP server
//    (docs/protocol/signaling.md); the data channels it accepts are inbound connections;
//  - "webrtc+ws://HOST:PORT/PATH" peers are dialled through that node's signaling endpoint.
// The connections handed out must be destroyed before this object (it owns the engine).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/webrtc_options.hpp"
#include "app/webrtc_relay.hpp"
#include "io/transport.hpp"
#include "io/webrtc/rtc_engine.hpp"
#include "io/webrtc/ws_signaling.hpp"

namespace zmesh::app {

// Where a node's WebSocket listener answers WebRTC offers.
inline constexpr const char* kWebRtcSignalingPath = "/webrtc";

class WebRtcTransports {
 public:
  // `loop` and `random` must outlive the transports.
  static Result<std::unique_ptr<WebRtcTransports>> create(io::EventLoop& loop, RandomSource& random,
                                                    const WebRtcOptions& options,
                                                    const io::TransportOptions& transport_options);
  ~WebRtcTransports();
  WebRtcTransports(const WebRtcTransports&) = delete;
  WebRtcTransports& operator=(const WebRtcTransports&) = delete;

  // Attaches signaling to every ws:// listener in `listeners` (which must outlive this object's
  // use of them: declare it after them). Accepted data channels go to `on_accept`.
  Status serve_signaling(const std::vector<std::unique_ptr<io::Listener>>& listeners,
                         const io::Listener::AcceptCallback& on_accept);
  // "webrtc+ws://HOST:PORT/webrtc" when `listener` serves signaling, else "".
  std::string signaling_url(const io::Listener& listener) const;

  // Signaling through neighbours (channel 4): "webrtc+relay://" dials and offers relayed to us.
  // Signals sent from a WebRTC session's own callbacks ask `drain` to send what `relay` queued.
  void serve_relay(node::SignalingRelay& relay, DeferredDrain& drain, io::Listener::AcceptCallback on_accept);
  // Passes what the relay service received on to the setups (the runtime's drain calls it);
  // true when there was any.
  bool poll_relay() { return relay_ != nullptr && relay_->poll(); }

  // Dials a webrtc+ws:// or webrtc+relay:// URL; `done` runs once from the loop unless
  // cancel_dials() ran first.
  void dial(std::uint64_t id, const std::string& url, io::DialCallback done);
  void cancel_dials();
  std::size_t dials_in_progress() const { return dials_.size(); }

 private:
  WebRtcTransports(io::EventLoop& loop, RandomSource& random, const io::TransportOptions& transport_options)
      : loop_(loop), random_(random), transport_options_(transport_options) {}

  io::EventLoop& loop_;
  RandomSource& random_;
  io::TransportOptions transport_options_;
  std::unique_ptr<io::webrtc::RtcEngine> engine_;
  std::map<const io::Listener*, std::unique_ptr<io::webrtc::WebRtcListener>> listeners_;  // by its ws:// listener
  std::map<std::uint64_t, std::unique_ptr<io::webrtc::RtcDial>> dials_;
  std::unique_ptr<RelaySignaling> relay_;
};

// Adds "candidate_pair" (the selected ICE pair, e.g. "127.0.0.1:40001 host <-> 127.0.0.1:40002
// host") to a `zmesh status` peer row when `connection` is a WebRTC data channel.
void add_webrtc_link_status(nlohmann::json& row, const io::Connection& connection);

}  // namespace zmesh::app
