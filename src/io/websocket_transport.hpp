// WebSocket (RFC 6455) as a message transport: binary messages over TcpStream, client and
// server, subprotocol "zmesh.v1" (docs/protocol/transports.md §WebSocket).
#pragma once

#include <memory>
#include <optional>

#include "io/http_server.hpp"
#include "io/tcp_stream.hpp"
#include "io/transport.hpp"
#include "io/url.hpp"
#include "io/websocket_frame.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io {

class WsConnection final : public Connection {
 public:
  // `leftover`: bytes that followed the handshake in the same read. `random` supplies client
  // masks (§5.3) and must be non-null for Role::client.
  WsConnection(std::unique_ptr<TcpStream> stream, ws::Role role, ByteView leftover, const TransportOptions& options,
               RandomSource* random);
  ~WsConnection() override;

  Status send(ByteView message) override;
  void close() override;
  void on_data(DataCallback callback) override { on_data_ = std::move(callback); }
  void on_close(CloseCallback callback) override { on_close_ = std::move(callback); }
  void on_writable(WritableCallback callback) override { stream_->on_writable(std::move(callback)); }
  void set_idle_timeout(DurationUs timeout) override { stream_->set_idle_timeout(timeout); }
  void set_receive_paused(bool paused) override;
  std::string remote_description() const override { return stream_->peer().to_string(); }
  const char* transport_name() const override { return "ws"; }
  std::uint64_t bytes_in() const override { return stream_->bytes_in(); }
  std::uint64_t bytes_out() const override { return stream_->bytes_out(); }
  std::size_t send_buffered_bytes() const override { return stream_->buffered_bytes(); }
  std::size_t max_message_bytes() const override { return max_message_bytes_; }

  // Sends a ping (§5.5.2); the peer's pong only refreshes the idle clock.
  Status ping(ByteView payload = {});

 private:
  enum class State { open, closing, closed };

  void handle_bytes(ByteView chunk);
  bool handle_event(const ws::FrameEvent& event);
  Status send_frame(ws::Opcode opcode, ByteView payload);
  void fail(std::uint16_t status, CloseKind kind, const std::string& message);

  std::unique_ptr<TcpStream> stream_;
  ws::Role role_;
  RandomSource* random_;
  std::size_t max_message_bytes_;
  DurationUs close_timeout_;
  ws::FrameDecoder decoder_;
  State state_ = State::open;
  std::optional<CloseReason> final_reason_;
  Bytes pending_input_;  // handshake leftovers, fed from the loop once the owner has its callbacks
  bool user_paused_ = false;
  EventLoop::TimerId leftover_timer_ = 0;
  EventLoop::TimerId close_timer_ = 0;
  DataCallback on_data_;
  CloseCallback on_close_;
  LifetimeGuard alive_;
};

// Performs the client side of the opening handshake (§4.1) on a connected stream.
class WsClientHandshake {
 public:
  using Callback = std::function<void(Result<std::unique_ptr<Connection>>)>;
  WsClientHandshake(std::unique_ptr<TcpStream> stream, const TransportUrl& url, RandomSource& random,
                    const TransportOptions& options, Callback callback);
  ~WsClientHandshake();

 private:
  void handle_bytes(ByteView chunk);
  void complete(Result<std::unique_ptr<Connection>> result);

  std::unique_ptr<TcpStream> stream_;
  RandomSource& random_;
  TransportOptions options_;
  Callback callback_;
  std::string key_;
  HttpResponseReader reader_{0};
  EventLoop::TimerId timer_ = 0;
};

class WsListener final : public Listener {
 public:
  static Result<std::unique_ptr<WsListener>> open(EventLoop& loop, const SocketAddress& address, std::string path,
                                                  const TransportOptions& options);
  void on_accept(AcceptCallback callback) override { on_accept_ = std::move(callback); }
  std::string local_url() const override;
  std::uint16_t port() const override { return http_->local_address().port(); }
  std::size_t connection_count() const override { return http_->connection_count(); }

  // The HTTP server underneath: other paths (signaling, status page) can be routed on it.
  HttpServer& http() { return *http_; }

 private:
  WsListener() = default;
  std::unique_ptr<HttpServer> http_;
  std::string path_;
  TransportOptions options_;
  AcceptCallback on_accept_;
};

}  // namespace zmesh::io
