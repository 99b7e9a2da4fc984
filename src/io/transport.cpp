// dial()/listen(): URL → resolve → connect → (WebSocket handshake) → Connection.
#include "io/transport.hpp"

#include "io/tcp_transport.hpp"
#include "io/url.hpp"
#include "io/websocket_transport.hpp"

namespace zmesh::io {

// One outgoing dial. Owned by its DialHandle (and by itself while detached); every asynchronous
// step holds only a weak reference, so dropping the handle cancels the whole chain.
class DialAttempt : public std::enable_shared_from_this<DialAttempt> {
 public:
  DialAttempt(EventLoop& loop, RandomSource& random, TransportOptions options, DialCallback callback)
      : loop_(loop), random_(random), options_(std::move(options)), callback_(std::move(callback)) {}

  void start(std::string_view url_text) {
    auto url = parse_transport_url(url_text);
    std::weak_ptr<DialAttempt> weak = weak_from_this();
    if (!url.ok() || url.value().port == 0) {
      Error error = url.ok() ? make_error(Errc::invalid_argument, "cannot dial port 0") : url.error();
      loop_.post([weak, error] {
        if (auto self = weak.lock()) self->complete(error);
      });
      return;
    }
    url_ = url.value();
    resolve_host(loop_, url_.host, url_.port, [weak](Result<std::vector<SocketAddress>> addresses) {
      if (auto self = weak.lock()) self->resolved(std::move(addresses));
    });
  }

  void detach() { self_ = shared_from_this(); }
  bool pending() const { return static_cast<bool>(callback_); }
  void cancel() {
    callback_ = nullptr;
    connector_.reset();
    handshake_.reset();
    self_.reset();  // may destroy this: last statement
  }

 private:
  void resolved(Result<std::vector<SocketAddress>> addresses) {
    if (!addresses.ok()) {
      complete(addresses.error());
      return;
    }
    std::weak_ptr<DialAttempt> weak = weak_from_this();
    connector_ = std::make_unique<TcpConnector>(loop_, std::move(addresses.value()), options_.connect_timeout,
                                                stream_options_for(options_),
                                                [weak](Result<std::unique_ptr<TcpStream>> stream) {
                                                  if (auto self = weak.lock()) self->connected(std::move(stream));
                                                });
  }

  void connected(Result<std::unique_ptr<TcpStream>> stream) {
    if (!stream.ok()) {
      complete(stream.error());
      return;
    }
    if (url_.scheme == TransportScheme::tcp) {
      complete(std::unique_ptr<Connection>(std::make_unique<TcpConnection>(std::move(stream.value()), options_)));
      return;
    }
    std::weak_ptr<DialAttempt> weak = weak_from_this();
    handshake_ = std::make_unique<WsClientHandshake>(std::move(stream.value()), url_, random_, options_,
                                                     [weak](Result<std::unique_ptr<Connection>> connection) {
                                                       if (auto self = weak.lock()) self->complete(std::move(connection));
                                                     });
  }

  void complete(Result<std::unique_ptr<Connection>> result) {
    if (!callback_) return;
    DialCallback cb = std::move(callback_);
    callback_ = nullptr;
    // The connector/handshake are in their own callbacks now; free them from the loop.
    loop_.destroy_later(std::move(connector_));
    loop_.destroy_later(std::move(handshake_));
    auto self = std::move(self_);  // a detached attempt ends here (after cb returns)
    cb(std::move(result));
  }

  EventLoop& loop_;
  RandomSource& random_;
  TransportOptions options_;
  DialCallback callback_;
  TransportUrl url_;
  std::unique_ptr<TcpConnector> connector_;
  std::unique_ptr<WsClientHandshake> handshake_;
  std::shared_ptr<DialAttempt> self_;
};

DialHandle& DialHandle::operator=(DialHandle&& other) noexcept {
  if (this != &other) {
    cancel();
    attempt_ = std::move(other.attempt_);
  }
  return *this;
}

void DialHandle::cancel() {
  if (attempt_) {
    auto attempt = std::move(attempt_);
    attempt->cancel();
  }
}

void DialHandle::detach() {
  if (attempt_) {
    attempt_->detach();
    attempt_.reset();
  }
}

bool DialHandle::pending() const { return attempt_ && attempt_->pending(); }

DialHandle dial(EventLoop& loop, RandomSource& random, std::string_view url, DialCallback callback,
                const TransportOptions& options) {
  auto attempt = std::make_shared<DialAttempt>(loop, random, options, std::move(callback));
  attempt->start(url);
  return DialHandle(attempt);
}

Result<std::unique_ptr<Listener>> listen(EventLoop& loop, std::string_view url_text, const TransportOptions& options) {
  ZM_TRY(TransportUrl url, parse_transport_url(url_text));
  auto address = SocketAddress::from_ip(url.host, url.port);
  if (!address.ok()) return make_error(Errc::invalid_argument, "listen needs an IP literal host: " + url.host);
  if (options.max_message_bytes > kHardMaxMessageBytes) {
    return make_error(Errc::invalid_argument, "max_message_bytes above the hard limit");
  }
  if (url.scheme == TransportScheme::tcp) {
    ZM_TRY(auto listener, TcpListener::open(loop, address.value(), options));
    return std::unique_ptr<Listener>(std::move(listener));
  }
  ZM_TRY(auto listener, WsListener::open(loop, address.value(), url.path, options));
  return std::unique_ptr<Listener>(std::move(listener));
}

}  // namespace zmesh::io
