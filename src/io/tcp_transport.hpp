// Plain TCP as a message transport: TcpStream plus the u32 length framing of
// length_framing.hpp (docs/protocol/transports.md §TCP).
#pragma once

#include <memory>

#include "io/tcp_stream.hpp"
#include "io/transport.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io {

// StreamOptions derived from TransportOptions (the send buffer always fits one largest message).
StreamOptions stream_options_for(const TransportOptions& options);

class TcpConnection final : public Connection {
 public:
  TcpConnection(std::unique_ptr<TcpStream> stream, const TransportOptions& options);
  ~TcpConnection() override;

  Status send(ByteView message) override;
  void close() override;
  void on_data(DataCallback callback) override { on_data_ = std::move(callback); }
  void on_close(CloseCallback callback) override { on_close_ = std::move(callback); }
  void on_writable(WritableCallback callback) override { stream_->on_writable(std::move(callback)); }
  void set_idle_timeout(DurationUs timeout) override { stream_->set_idle_timeout(timeout); }
  void set_receive_paused(bool paused) override { stream_->set_receive_paused(paused); }
  std::string remote_description() const override { return stream_->peer().to_string(); }
  const char* transport_name() const override { return "tcp"; }
  std::uint64_t bytes_in() const override { return stream_->bytes_in(); }
  std::uint64_t bytes_out() const override { return stream_->bytes_out(); }
  std::size_t send_buffered_bytes() const override { return stream_->buffered_bytes(); }
  std::size_t max_message_bytes() const override { return max_message_bytes_; }

 private:
  void handle_bytes(ByteView chunk);

  std::unique_ptr<TcpStream> stream_;
  std::size_t max_message_bytes_;
  LengthFrameDecoder decoder_;
  DataCallback on_data_;
  CloseCallback on_close_;
  LifetimeGuard alive_;
};

class TcpListener final : public Listener {
 public:
  static Result<std::unique_ptr<TcpListener>> open(EventLoop& loop, const SocketAddress& address,
                                                   const TransportOptions& options);
  void on_accept(AcceptCallback callback) override { on_accept_ = std::move(callback); }
  std::string local_url() const override;
  std::uint16_t port() const override { return acceptor_->local_address().port(); }
  std::size_t connection_count() const override { return acceptor_->live_connections(); }

 private:
  TcpListener() = default;
  std::unique_ptr<TcpAcceptor> acceptor_;
  TransportOptions options_;
  AcceptCallback on_accept_;
};

}  // namespace zmesh::io
