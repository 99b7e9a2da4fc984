// The WebSocket signaling endpoint (docs/protocol/signaling.md): a node's HTTP listener
// answers WebRTC offers (and makes offers on request) at a path, with WebSocket sub-protocol
// "zmesh.webrtc.v1" and one JSON message per binary WebSocket message. Both ends:
//
//   listener: WebRtcListener::attach(engine, http_server, "/webrtc") → io::Listener whose
//             accepted connections are WebRTC data channels (transport "webrtc");
//   dialer:   dial(engine, random, "webrtc+ws://HOST:PORT/webrtc", callback).
#pragma once

#include <memory>
#include <map>
#include <string>

#include "io/http_server.hpp"
#include "io/transport.hpp"
#include "io/webrtc/signaling.hpp"
#include "io/webrtc/webrtc_connection.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io::webrtc {

inline constexpr const char* kSignalingSubprotocol = "zmesh.webrtc.v1";
inline constexpr std::size_t kMaxPendingSignalingSessions = 64;

// A SignalingChannel over a WebSocket Connection. Undecodable messages are answered with an
// "error" message and end the channel.
class WsSignalingChannel final : public SignalingChannel {
 public:
  explicit WsSignalingChannel(std::unique_ptr<Connection> connection);
  ~WsSignalingChannel() override;
  Status send(const SignalMessage& message) override;
  void on_message(MessageCallback callback) override { on_message_ = std::move(callback); }
  void on_close(CloseCallback callback) override { on_close_ = std::move(callback); }

 private:
  std::unique_ptr<Connection> connection_;
  MessageCallback on_message_;
  CloseCallback on_close_;
  bool failed_ = false;
  bool closed_ = false;
  LifetimeGuard alive_;
};

class WebRtcListener final : public Listener {
 public:
  // Serves signaling on `http` at `path` (the server must outlive the listener).
  static Result<std::unique_ptr<WebRtcListener>> attach(RtcEngine& engine, HttpServer& http, std::string path,
                                                        const TransportOptions& options = {});
  // Opens its own HTTP server: "webrtc+ws://127.0.0.1:0/webrtc".
  static Result<std::unique_ptr<WebRtcListener>> open(RtcEngine& engine, std::string_view url,
                                                      const TransportOptions& options = {});
  ~WebRtcListener() override;

  void on_accept(AcceptCallback callback) override { on_accept_ = std::move(callback); }
  std::string local_url() const override;
  std::uint16_t port() const override { return http_->local_address().port(); }
  // Signaling sessions still negotiating.
  std::size_t connection_count() const override { return sessions_.size(); }

 private:
  WebRtcListener(RtcEngine& engine, HttpServer& http, std::string path, const TransportOptions& options)
      : engine_(engine), http_(&http), path_(std::move(path)), options_(options) {}
  void adopt(std::unique_ptr<Connection> websocket);

  RtcEngine& engine_;
  std::unique_ptr<HttpServer> own_http_;
  HttpServer* http_;
  std::string path_;
  TransportOptions options_;
  AcceptCallback on_accept_;
  std::map<RtcSession*, std::unique_ptr<RtcSession>> sessions_;
  LifetimeGuard alive_;
};

// An outgoing dial; destroying it cancels (the callback then never runs).
class RtcDial {
 public:
  virtual ~RtcDial() = default;
};

// "webrtc+ws://HOST:PORT/PATH": WebSocket to the node's signaling endpoint, then offer/answer
// and trickle ICE through it; the callback gets the open data channel as an io::Connection.
// `random` supplies WebSocket masks and must outlive the dial.
std::unique_ptr<RtcDial> dial(RtcEngine& engine, RandomSource& random, std::string_view url, DialCallback callback,
                              const TransportOptions& options = {});

// "webrtc+ws://HOST:PORT/PATH" → "ws://HOST:PORT/PATH" (Errc::invalid_argument otherwise).
Result<std::string> signaling_url(std::string_view webrtc_url);

}  // namespace zmesh::io::webrtc
