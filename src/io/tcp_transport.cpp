#include "io/tcp_transport.hpp"

#include <algorithm>

namespace zmesh::io {

StreamOptions stream_options_for(const TransportOptions& options) {
  StreamOptions out;
  // 14 bytes: the largest WebSocket header, which also covers the 4-byte TCP length prefix.
  out.send_buffer_bytes = std::max(options.send_buffer_bytes, options.max_message_bytes + 14);
  out.linger_timeout = options.close_timeout;
  return out;
}

TcpConnection::TcpConnection(std::unique_ptr<TcpStream> stream, const TransportOptions& options)
    : stream_(std::move(stream)),
      max_message_bytes_(std::min(options.max_message_bytes, kHardMaxMessageBytes)),
      decoder_(max_message_bytes_) {
  stream_->on_data([this](ByteView chunk) { handle_bytes(chunk); });
  stream_->on_close([this](const CloseReason& reason) {
    if (on_close_) {
      CloseCallback cb = std::move(on_close_);
      cb(reason);
    }
  });
  if (options.idle_timeout > 0) stream_->set_idle_timeout(options.idle_timeout);
}

TcpConnection::~TcpConnection() { alive_.expire(); }

Status TcpConnection::send(ByteView message) {
  if (message.size() > max_message_bytes_) {
    return make_error(Errc::too_large, "message of " + std::to_string(message.size()) + " bytes exceeds limit of " +
                                           std::to_string(max_message_bytes_));
  }
  auto header = encode_frame_header(static_cast<std::uint32_t>(message.size()));
  return stream_->write(header, message);
}

void TcpConnection::close() { stream_->close(CloseReason{CloseKind::local, "closed by this side"}); }

void TcpConnection::handle_bytes(ByteView chunk) {
  LifetimeObserver alive = alive_.observer();
  auto status = decoder_.feed(chunk, [&](ByteView message) {
    if (on_data_) on_data_(message);
    return !alive.expired() && stream_->is_open();
  });
  if (!status.ok() && !alive.expired()) {
    stream_->abort(CloseReason{status.error().code == Errc::too_large ? CloseKind::too_large : CloseKind::protocol_error,
                               status.error().message});
  }
}

Result<std::unique_ptr<TcpListener>> TcpListener::open(EventLoop& loop, const SocketAddress& address,
                                                       const TransportOptions& options) {
  std::unique_ptr<TcpListener> listener(new TcpListener());
  listener->options_ = options;
  TcpListener* raw = listener.get();
  ZM_TRY(listener->acceptor_,
         TcpAcceptor::open(loop, address, options.max_connections, stream_options_for(options),
                           [raw](std::unique_ptr<TcpStream> stream) {
                             auto connection = std::make_unique<TcpConnection>(std::move(stream), raw->options_);
                             if (raw->on_accept_) raw->on_accept_(std::move(connection));
                           }));
  return listener;
}

std::string TcpListener::local_url() const { return "tcp://" + acceptor_->local_address().to_string(); }

}  // namespace zmesh::io
