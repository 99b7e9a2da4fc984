#include "io/websocket_transport.hpp"

#include <algorithm>

#include "io/tcp_transport.hpp"
#include "io/websocket_handshake.hpp"

namespace zmesh::io {

WsConnection::WsConnection(std::unique_ptr<TcpStream> stream, ws::Role role, ByteView leftover,
                           const TransportOptions& options, RandomSource* random)
    : stream_(std::move(stream)),
      role_(role),
      random_(random),
      max_message_bytes_(std::min(options.max_message_bytes, kHardMaxMessageBytes)),
      close_timeout_(options.close_timeout),
      decoder_(role, max_message_bytes_) {
  if (role_ == ws::Role::client && random_ == nullptr) std::abort();  // programming error: clients must mask
  stream_->on_data([this](ByteView chunk) { handle_bytes(chunk); });
  stream_->on_close([this](const CloseReason& stream_reason) {
    state_ = State::closed;
    CloseReason reason;
    if (final_reason_) {
      reason = *final_reason_;
    } else {
      reason = stream_reason;
      if (reason.kind == CloseKind::peer_closed) reason.detail = "TCP closed without a WebSocket close frame";
      reason.ws_status = 1006;  // §7.1.5: abnormal closure, never sent on the wire
    }
    if (on_close_) {
      CloseCallback cb = std::move(on_close_);
      cb(reason);
    }
  });
  if (options.idle_timeout > 0) stream_->set_idle_timeout(options.idle_timeout);
  if (!leftover.empty()) {
    // Frames that arrived with the handshake: deliver them from the loop, after the owner has
    // installed its callbacks, and hold back newer bytes until then to keep the order.
    pending_input_.assign(leftover.begin(), leftover.end());
    stream_->set_receive_paused(true);
    leftover_timer_ = stream_->loop().run_at(0, [this] {
      leftover_timer_ = 0;
      set_receive_paused(user_paused_);
      Bytes input = std::move(pending_input_);
      pending_input_.clear();
      handle_bytes(input);
    });
  }
}

WsConnection::~WsConnection() {
  alive_.expire();
  stream_->loop().cancel(leftover_timer_);
  stream_->loop().cancel(close_timer_);
}

void WsConnection::set_receive_paused(bool paused) {
  user_paused_ = paused;
  stream_->set_receive_paused(paused || leftover_timer_ != 0);
}

Status WsConnection::send_frame(ws::Opcode opcode, ByteView payload) {
  Bytes frame;
  frame.reserve(payload.size() + ws::kMaxFrameHeaderBytes);
  if (role_ == ws::Role::client) {
    // §5.3: a fresh, unpredictable masking key for every frame.
    ws::MaskKey mask = random_->array<4>();
    ws::encode_frame(frame, opcode, true, payload, &mask);
  } else {
    ws::encode_frame(frame, opcode, true, payload, nullptr);
  }
  return stream_->write(frame);
}

Status WsConnection::send(ByteView message) {
  if (state_ != State::open) return make_error(Errc::closed, "WebSocket is closing");
  if (message.size() > max_message_bytes_) {
    return make_error(Errc::too_large, "message of " + std::to_string(message.size()) + " bytes exceeds limit of " +
                                           std::to_string(max_message_bytes_));
  }
  return send_frame(ws::Opcode::binary, message);
}

Status WsConnection::ping(ByteView payload) {
  if (state_ != State::open) return make_error(Errc::closed, "WebSocket is closing");
  if (payload.size() > ws::kMaxControlPayloadBytes) return make_error(Errc::too_large, "ping payload over 125 bytes");
  return send_frame(ws::Opcode::ping, payload);
}

void WsConnection::close() {
  if (state_ != State::open) return;
  state_ = State::closing;
  final_reason_ = CloseReason{CloseKind::local, "closed by this side", ws::kStatusNormal};
  // §7.1.2: send a close frame, then wait for the peer's before closing TCP (bounded).
  if (!send_frame(ws::Opcode::close, ws::close_payload(ws::kStatusNormal, "")).ok()) {
    stream_->close(*final_reason_);
    return;
  }
  close_timer_ = stream_->loop().run_after(close_timeout_, [this] {
    close_timer_ = 0;
    stream_->abort(*final_reason_);
  });
}

void WsConnection::fail(std::uint16_t status, CloseKind kind, const std::string& message) {
  if (state_ == State::closed) return;
  if (state_ == State::open) {
    // §7.1.7: fail the connection — send a close frame with the reason, then close TCP.
    (void)send_frame(ws::Opcode::close, ws::close_payload(status, message));
  }
  state_ = State::closing;
  if (!final_reason_ || final_reason_->kind == CloseKind::local) final_reason_ = CloseReason{kind, message, status};
  stream_->close(*final_reason_);
}

void WsConnection::handle_bytes(ByteView chunk) {
  if (state_ == State::closed) return;
  LifetimeObserver alive = alive_.observer();
  auto status = decoder_.feed(chunk, [&](const ws::FrameEvent& event) {
    bool keep_going = handle_event(event);
    return keep_going && !alive.expired();
  });
  if (alive.expired()) return;
  if (!status.ok()) {
    fail(decoder_.failure_status(),
         decoder_.failure_status() == ws::kStatusTooBig ? CloseKind::too_large : CloseKind::protocol_error,
         status.error().message);
  }
}

bool WsConnection::handle_event(const ws::FrameEvent& event) {
  using Kind = ws::FrameEvent::Kind;
  switch (event.kind) {
    case Kind::message: {
      if (state_ != State::open || !on_data_) return true;  // closing: data is discarded (§7.1.2)
      LifetimeObserver alive = alive_.observer();
      on_data_(event.payload);
      return !alive.expired();
    }
    case Kind::ping:
      // §5.5.2: answer with a pong carrying the same data. Skipped when the buffer is full:
      // pings are liveness probes, and a pong stuck behind backpressure says the same.
      if (state_ == State::open) (void)send_frame(ws::Opcode::pong, event.payload);
      return true;
    case Kind::pong:
      return true;
    case Kind::close:
      if (state_ == State::open) {
        // §5.5.1: echo the status code, then close TCP.
        std::uint16_t echo = event.close_status == ws::kStatusNoStatus ? ws::kStatusNormal : event.close_status;
        (void)send_frame(ws::Opcode::close, ws::close_payload(echo, ""));
        state_ = State::closing;
        final_reason_ = CloseReason{CloseKind::peer_closed, event.close_reason, event.close_status};
      }
      stream_->loop().cancel(close_timer_);
      close_timer_ = 0;
      stream_->close(*final_reason_);
      return true;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------

WsClientHandshake::WsClientHandshake(std::unique_ptr<TcpStream> stream, const TransportUrl& url, RandomSource& random,
                                     const TransportOptions& options, Callback callback)
    : stream_(std::move(stream)), random_(random), options_(options), callback_(std::move(callback)) {
  reader_.head_only();
  key_ = ws::make_client_key(random_);
  stream_->on_data([this](ByteView chunk) { handle_bytes(chunk); });
  stream_->on_close([this](const CloseReason& reason) {
    complete(make_error(Errc::closed, "WebSocket handshake: connection ended: " + reason.describe()));
  });
  timer_ = stream_->loop().run_after(options_.handshake_timeout, [this] {
    timer_ = 0;
    complete(make_error(Errc::timeout, "WebSocket handshake timed out"));
  });
  std::string request = ws::build_client_request(url.authority(), url.path, key_, options_.ws_subprotocol);
  if (auto s = stream_->write(as_bytes(request)); !s.ok()) {
    stream_->abort(CloseReason{CloseKind::reset, s.error().message});
  }
}

WsClientHandshake::~WsClientHandshake() {
  if (stream_) stream_->loop().cancel(timer_);
}

void WsClientHandshake::handle_bytes(ByteView chunk) {
  auto done = reader_.feed(chunk);
  if (!done.ok()) {
    complete(done.error());
    return;
  }
  if (!done.value()) return;
  if (auto s = ws::check_upgrade_response(reader_.response(), key_, options_.ws_subprotocol); !s.ok()) {
    complete(s.error());
    return;
  }
  Bytes leftover(reader_.leftover().begin(), reader_.leftover().end());
  stream_->loop().cancel(timer_);
  timer_ = 0;
  stream_->on_data(nullptr);
  stream_->on_close(nullptr);
  std::unique_ptr<Connection> connection =
      std::make_unique<WsConnection>(std::move(stream_), ws::Role::client, leftover, options_, &random_);
  complete(std::move(connection));
}

void WsClientHandshake::complete(Result<std::unique_ptr<Connection>> result) {
  if (!callback_) return;
  Callback cb = std::move(callback_);
  callback_ = nullptr;
  if (stream_) {
    stream_->loop().cancel(timer_);
    timer_ = 0;
    stream_->on_data(nullptr);
    stream_->on_close(nullptr);
    stream_->abort(CloseReason{CloseKind::protocol_error, "handshake failed"});
  }
  cb(std::move(result));  // may destroy this object
}

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<WsListener>> WsListener::open(EventLoop& loop, const SocketAddress& address, std::string path,
                                                     const TransportOptions& options) {
  std::unique_ptr<WsListener> listener(new WsListener());
  listener->path_ = std::move(path);
  listener->options_ = options;
  HttpServerOptions http;
  http.max_connections = options.max_connections;
  http.request_timeout = options.handshake_timeout;
  http.max_body_bytes = 0;  // an upgrade request has no body
  http.stream = stream_options_for(options);
  ZM_TRY(listener->http_, HttpServer::open(loop, address, http));
  WsListener* raw = listener.get();
  listener->http_->upgrade_route(
      listener->path_,
      [raw](const HttpRequest& request) { return ws::evaluate_upgrade(request, raw->options_.ws_subprotocol).response; },
      [raw](HttpRequest, std::unique_ptr<TcpStream> stream, ByteView leftover) {
        auto connection = std::make_unique<WsConnection>(std::move(stream), ws::Role::server, leftover, raw->options_, nullptr);
        if (raw->on_accept_) raw->on_accept_(std::move(connection));
      });
  return listener;
}

std::string WsListener::local_url() const { return "ws://" + http_->local_address().to_string() + path_; }

}  // namespace zmesh::io
