#include "io/webrtc/ws_signaling.hpp"

#include "io/url.hpp"
#include "io/websocket_handshake.hpp"
#include "io/websocket_transport.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io::webrtc {
namespace {

TransportOptions signaling_options(TransportOptions options) {
  options.ws_subprotocol = kSignalingSubprotocol;
  options.max_message_bytes = kMaxSignalBytes;
  return options;
}

}  // namespace

WsSignalingChannel::WsSignalingChannel(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {
  connection_->on_data([this](ByteView bytes) {
    if (failed_) return;
    auto message = decode_signal(bytes);
    if (!message.ok()) {
      failed_ = true;
      (void)connection_->send(as_bytes(encode_signal(SignalMessage::failure(message.error().message))));
      connection_->close();
      return;
    }
    if (on_message_) on_message_(message.value());  // may destroy this
  });
  connection_->on_close([this](const CloseReason& reason) {
    closed_ = true;
    if (on_close_) {
      auto cb = std::move(on_close_);
      cb(make_error(Errc::closed, "signaling WebSocket " + reason.describe()));
    }
  });
}

WsSignalingChannel::~WsSignalingChannel() {
  alive_.expire();
  if (closed_) return;  // already closed: the unique_ptr frees it
  // The WebSocket finishes its closing handshake on its own (bounded by its close timeout) and
  // frees itself from its on_close, which the Connection contract allows.
  Connection* websocket = connection_.release();
  websocket->on_data(nullptr);
  websocket->on_close([websocket](const CloseReason&) { delete websocket; });
  websocket->close();
}

Status WsSignalingChannel::send(const SignalMessage& message) {
  if (failed_) return make_error(Errc::closed, "signaling channel failed");
  return connection_->send(as_bytes(encode_signal(message)));
}

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<WebRtcListener>> WebRtcListener::attach(RtcEngine& engine, HttpServer& http, std::string path,
                                                               const TransportOptions& options) {
  if (path.empty() || path[0] != '/') return make_error(Errc::invalid_argument, "signaling path must start with /");
  std::unique_ptr<WebRtcListener> listener(new WebRtcListener(engine, http, std::move(path), signaling_options(options)));
  WebRtcListener* raw = listener.get();
  LifetimeObserver alive = listener->alive_.observer();
  http.upgrade_route(
      listener->path_,
      [](const HttpRequest& request) { return ws::evaluate_upgrade(request, kSignalingSubprotocol).response; },
      [raw, alive](HttpRequest, std::unique_ptr<TcpStream> stream, ByteView leftover) {
        if (alive.expired()) return;  // the listener is gone; the stream closes with this scope
        raw->adopt(std::make_unique<WsConnection>(std::move(stream), ws::Role::server, leftover, raw->options_, nullptr));
      });
  return listener;
}

Result<std::unique_ptr<WebRtcListener>> WebRtcListener::open(RtcEngine& engine, std::string_view url,
                                                             const TransportOptions& options) {
  ZM_TRY(std::string ws_url, signaling_url(url));
  ZM_TRY(TransportUrl parsed, parse_transport_url(ws_url));
  auto address = SocketAddress::from_ip(parsed.host, parsed.port);
  if (!address.ok()) return make_error(Errc::invalid_argument, "listen needs an IP literal host: " + parsed.host);
  HttpServerOptions http;
  http.max_connections = options.max_connections;
  http.request_timeout = options.handshake_timeout;
  http.max_body_bytes = 0;
  ZM_TRY(auto server, HttpServer::open(engine.loop(), address.value(), http));
  ZM_TRY(auto listener, attach(engine, *server, parsed.path, options));
  listener->own_http_ = std::move(server);
  return listener;
}

WebRtcListener::~WebRtcListener() { alive_.expire(); }

std::string WebRtcListener::local_url() const { return "webrtc+ws://" + http_->local_address().to_string() + path_; }

void WebRtcListener::adopt(std::unique_ptr<Connection> websocket) {
  if (sessions_.size() >= kMaxPendingSignalingSessions) return;  // dropping the socket refuses it
  auto signaling = std::make_unique<WsSignalingChannel>(std::move(websocket));
  auto holder = std::make_shared<RtcSession*>(nullptr);
  LifetimeObserver alive = alive_.observer();
  auto session = RtcSession::start(engine_, std::move(signaling), RtcSession::Role::either,
                                   [this, alive, holder](Result<std::unique_ptr<Connection>> result) {
                                     if (alive.expired()) return;
                                     // We are inside the session's callback: free it from the loop.
                                     auto it = sessions_.find(*holder);
                                     if (it != sessions_.end()) {
                                       engine_.loop().destroy_later(std::move(it->second));
                                       sessions_.erase(it);
                                     }
                                     if (result.ok() && on_accept_) on_accept_(std::move(result.value()));
                                   });
  *holder = session.get();
  sessions_.emplace(session.get(), std::move(session));
}

// ---------------------------------------------------------------------------------------------

Result<std::string> signaling_url(std::string_view webrtc_url) {
  constexpr std::string_view prefix = "webrtc+";
  if (webrtc_url.substr(0, prefix.size()) != prefix) {
    return make_error(Errc::invalid_argument, "WebRTC URLs look like webrtc+ws://HOST:PORT/PATH");
  }
  std::string ws(webrtc_url.substr(prefix.size()));
  ZM_TRY(TransportUrl parsed, parse_transport_url(ws));
  if (parsed.scheme != TransportScheme::ws) return make_error(Errc::invalid_argument, "WebRTC signaling needs ws://");
  return ws;
}

namespace {

class WsRtcDial final : public RtcDial {
 public:
  WsRtcDial(RtcEngine& engine, DialCallback callback) : engine_(engine), callback_(std::move(callback)) {}

  void start(RandomSource& random, std::string_view url, const TransportOptions& options) {
    auto ws = signaling_url(url);
    if (!ws.ok()) {
      finish_later(ws.error());
      return;
    }
    websocket_ = io::dial(engine_.loop(), random, ws.value(), [this](Result<std::unique_ptr<Connection>> connected) {
      if (!connected.ok()) {
        finish(connected.error());
        return;
      }
      auto signaling = std::make_unique<WsSignalingChannel>(std::move(connected.value()));
      session_ = RtcSession::start(engine_, std::move(signaling), RtcSession::Role::offerer,
                                   [this](Result<std::unique_ptr<Connection>> result) { finish(std::move(result)); });
    }, signaling_options(options));
  }
  ~WsRtcDial() override { alive_.expire(); }

 private:
  void finish_later(Error error) {
    LifetimeObserver alive = alive_.observer();
    engine_.loop().post([this, alive, error] {
      if (!alive.expired()) finish(error);
    });
  }
  void finish(Result<std::unique_ptr<Connection>> result) {
    if (!callback_) return;
    auto cb = std::move(callback_);
    callback_ = nullptr;
    cb(std::move(result));  // may destroy this
  }

  RtcEngine& engine_;
  DialCallback callback_;
  DialHandle websocket_;
  std::unique_ptr<RtcSession> session_;
  LifetimeGuard alive_;
};

}  // namespace

std::unique_ptr<RtcDial> dial(RtcEngine& engine, RandomSource& random, std::string_view url, DialCallback callback,
                              const TransportOptions& options) {
  auto attempt = std::make_unique<WsRtcDial>(engine, std::move(callback));
  attempt->start(random, url, options);
  return attempt;
}

}  // namespace zmesh::io::webrtc
