#include "io/tcp_stream.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/log.hpp"

namespace zmesh::io {

namespace {
constexpr int kMaxReadsPerEvent = 16;  // fairness between connections on one loop
}

Result<std::unique_ptr<TcpStream>> TcpStream::adopt(EventLoop& loop, UniqueFd fd, const StreamOptions& options) {
  if (!fd.valid()) return make_error(Errc::invalid_argument, "invalid socket");
  if (options.send_buffer_bytes == 0 || options.read_chunk_bytes == 0) {
    return make_error(Errc::invalid_argument, "stream buffer sizes must be > 0");
  }
  set_tcp_nodelay(fd.get());
  std::unique_ptr<TcpStream> stream(new TcpStream(loop, std::move(fd), options));
  if (auto p = peer_address(stream->fd_.get()); p.ok()) stream->peer_ = p.value();
  if (auto l = local_address(stream->fd_.get()); l.ok()) stream->local_ = l.value();
  TcpStream* raw = stream.get();
  ZM_TRY(stream->watch_, loop.watch(stream->fd_.get(), true, false, [raw](IoEvents e) { raw->handle_io(e); }));
  return stream;
}

TcpStream::TcpStream(EventLoop& loop, UniqueFd fd, const StreamOptions& options)
    : loop_(loop), fd_(std::move(fd)), options_(options), read_buffer_(options.read_chunk_bytes) {
  last_receive_ = loop_.now();
}

TcpStream::~TcpStream() {
  alive_.expire();
  loop_.unwatch(watch_);
  loop_.cancel(idle_timer_);
  loop_.cancel(linger_timer_);
  loop_.cancel(close_timer_);
}

Status TcpStream::write(ByteView first, ByteView second) {
  if (state_ != State::open) return make_error(Errc::closed, "stream is closed");
  std::size_t total = first.size() + second.size();
  if (buffered_bytes() + total > options_.send_buffer_bytes) {
    want_writable_ = true;
    return make_error(Errc::limit_exceeded, "send buffer full");
  }
  std::size_t sent = 0;
  if (buffered_bytes() == 0) {
    // Fast path: hand both parts to the kernel in one writev, buffer only the remainder.
    iovec iov[2] = {{const_cast<std::uint8_t*>(first.data()), first.size()},
                    {const_cast<std::uint8_t*>(second.data()), second.size()}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    ssize_t n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        abort(CloseReason{CloseKind::reset, socket_error("send", errno).message});
        return make_error(Errc::closed, "stream failed while sending");
      }
    } else {
      sent = static_cast<std::size_t>(n);
      bytes_out_ += sent;
    }
  }
  if (sent < first.size()) {
    write_buffer_.insert(write_buffer_.end(), first.begin() + static_cast<std::ptrdiff_t>(sent), first.end());
    append(write_buffer_, second);
  } else if (sent < total) {
    write_buffer_.insert(write_buffer_.end(), second.begin() + static_cast<std::ptrdiff_t>(sent - first.size()),
                         second.end());
  }
  update_interest();
  return {};
}

void TcpStream::close(CloseReason reason) {
  if (state_ != State::open) return;
  pending_reason_ = std::move(reason);
  state_ = State::flushing;
  loop_.cancel(idle_timer_);
  idle_timer_ = 0;
  linger_timer_ = loop_.run_after(options_.linger_timeout, [this] {
    linger_timer_ = 0;
    finish(pending_reason_);
  });
  if (buffered_bytes() == 0) begin_draining();
  update_interest();
}

void TcpStream::abort(CloseReason reason) {
  if (state_ == State::closed) return;
  finish(std::move(reason));
}

void TcpStream::begin_draining() {
  ::shutdown(fd_.get(), SHUT_WR);
  state_ = State::draining;
}

void TcpStream::finish(CloseReason reason) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  loop_.unwatch(watch_);
  watch_ = 0;
  loop_.cancel(idle_timer_);
  loop_.cancel(linger_timer_);
  idle_timer_ = linger_timer_ = 0;
  fd_.reset();
  slot_.reset();  // a closed stream holds no socket: free its listener slot now, not at destruction
  write_buffer_.clear();
  write_offset_ = 0;
  // Delivered from the loop so that no owner call (write, close) re-enters its own on_close.
  close_timer_ = loop_.run_at(0, [this, reason = std::move(reason)] {
    close_timer_ = 0;
    if (on_close_) {
      CloseCallback cb = std::move(on_close_);
      cb(reason);
    }
  });
}

void TcpStream::set_idle_timeout(DurationUs timeout) {
  idle_timeout_ = timeout;
  last_receive_ = loop_.now();
  loop_.cancel(idle_timer_);
  idle_timer_ = 0;
  if (timeout > 0 && state_ == State::open) arm_idle_timer();
}

void TcpStream::arm_idle_timer() {
  // Re-armed lazily at expiry rather than on every read: one timer per idle period.
  idle_timer_ = loop_.run_at(last_receive_ + idle_timeout_, [this] {
    idle_timer_ = 0;
    if (state_ != State::open || idle_timeout_ <= 0) return;
    if (loop_.now() >= last_receive_ + idle_timeout_) {
      abort(CloseReason{CloseKind::timeout, "no data received for " + std::to_string(idle_timeout_ / kMillisecond) + " ms"});
    } else {
      arm_idle_timer();
    }
  });
}

void TcpStream::set_receive_paused(bool paused) {
  receive_paused_ = paused;
  update_interest();
}

void TcpStream::update_interest() {
  if (state_ == State::closed) return;
  bool want_write = buffered_bytes() > 0;
  bool want_read = state_ != State::open || !receive_paused_;
  if (want_write == interest_write_ && want_read == interest_read_) return;
  interest_write_ = want_write;
  interest_read_ = want_read;
  if (auto s = loop_.set_interest(watch_, want_read, want_write); !s.ok()) {
    abort(CloseReason{CloseKind::reset, s.error().message});
  }
}

void TcpStream::handle_io(IoEvents events) {
  LifetimeObserver alive = alive_.observer();
  if (events.error) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    abort(CloseReason{CloseKind::reset, socket_error("socket", err != 0 ? err : ECONNRESET).message});
    return;
  }
  if (events.writable) flush();
  if (alive.expired() || state_ == State::closed) return;
  if (events.readable || events.hangup) {
    if (interest_read_) {
      read_ready();
    } else if (options_.read_after_hangup_while_paused) {
      hangup_seen_ = true;
      read_ready();
    } else {
      // Reading is paused but the peer hung up: nothing will ever arrive; stop waiting.
      abort(CloseReason{CloseKind::reset, "peer hung up while receive was paused"});
    }
  }
}

void TcpStream::read_ready() {
  LifetimeObserver alive = alive_.observer();
  for (int i = 0; i < kMaxReadsPerEvent && state_ != State::closed && (interest_read_ || hangup_seen_); ++i) {
    ssize_t n = ::recv(fd_.get(), read_buffer_.data(), read_buffer_.size(), 0);
    if (n > 0) {
      bytes_in_ += static_cast<std::uint64_t>(n);
      last_receive_ = loop_.now();
      if (state_ != State::open) continue;  // closing: discard what the peer still sends
      if (on_data_) {
        on_data_(ByteView(read_buffer_.data(), static_cast<std::size_t>(n)));
        if (alive.expired()) return;
      }
      if (static_cast<std::size_t>(n) < read_buffer_.size()) return;  // socket drained
      continue;
    }
    if (n == 0) {
      if (state_ == State::open) {
        finish(CloseReason{CloseKind::peer_closed, "peer closed the connection (EOF)"});
      } else {
        finish(pending_reason_);  // our close completed: the peer answered our FIN with its own
      }
      return;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) return;
    if (errno == EINTR) continue;
    finish(CloseReason{state_ == State::open ? CloseKind::reset : pending_reason_.kind,
                       socket_error("recv", errno).message});
    return;
  }
}

void TcpStream::flush() {
  while (buffered_bytes() > 0) {
    ssize_t n = ::send(fd_.get(), write_buffer_.data() + write_offset_, buffered_bytes(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      abort(CloseReason{CloseKind::reset, socket_error("send", errno).message});
      return;
    }
    write_offset_ += static_cast<std::size_t>(n);
    bytes_out_ += static_cast<std::uint64_t>(n);
  }
  if (buffered_bytes() == 0) {
    write_buffer_.clear();
    write_offset_ = 0;
  } else if (write_offset_ > write_buffer_.size() / 2) {
    write_buffer_.erase(write_buffer_.begin(), write_buffer_.begin() + static_cast<std::ptrdiff_t>(write_offset_));
    write_offset_ = 0;
  }
  if (state_ == State::flushing && buffered_bytes() == 0) begin_draining();
  update_interest();
  if (state_ == State::open && want_writable_ && buffered_bytes() <= options_.send_buffer_bytes / 2) {
    want_writable_ = false;
    if (on_writable_) on_writable_();
  }
}

// ---------------------------------------------------------------------------------------------

TcpConnector::TcpConnector(EventLoop& loop, std::vector<SocketAddress> addresses, DurationUs timeout,
                           StreamOptions options, Callback callback)
    : loop_(loop), addresses_(std::move(addresses)), options_(options), callback_(std::move(callback)) {
  deadline_timer_ = loop_.run_after(timeout, [this, timeout] {
    deadline_timer_ = 0;
    complete(make_error(Errc::timeout, "connect timed out after " + std::to_string(timeout / kMillisecond) +
                                           " ms (" + last_error_ + ")"));
  });
  step_timer_ = loop_.run_at(0, [this] {
    step_timer_ = 0;
    try_next();
  });
}

TcpConnector::~TcpConnector() { cleanup(); }

void TcpConnector::cleanup() {
  loop_.unwatch(watch_);
  loop_.cancel(deadline_timer_);
  loop_.cancel(step_timer_);
  watch_ = deadline_timer_ = step_timer_ = 0;
  fd_.reset();
}

void TcpConnector::try_next() {
  loop_.unwatch(watch_);
  watch_ = 0;
  fd_.reset();
  while (next_ < addresses_.size()) {
    const SocketAddress& address = addresses_[next_++];
    auto fd = start_connect(address);
    if (!fd.ok()) {
      last_error_ = fd.error().message;
      continue;
    }
    fd_ = std::move(fd.value());
    auto w = loop_.watch(fd_.get(), false, true, [this](IoEvents) { on_connect_event(); });
    if (!w.ok()) {
      complete(w.error());
      return;
    }
    watch_ = w.value();
    return;
  }
  complete(make_error(Errc::closed, "could not connect: " + last_error_));
}

void TcpConnector::on_connect_event() {
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    last_error_ = socket_error("connect", err).message;
    try_next();
    return;
  }
  loop_.unwatch(watch_);
  watch_ = 0;
  complete(TcpStream::adopt(loop_, std::move(fd_), options_));
}

void TcpConnector::complete(Result<std::unique_ptr<TcpStream>> result) {
  if (!callback_) return;
  Callback cb = std::move(callback_);
  callback_ = nullptr;
  cleanup();
  cb(std::move(result));  // may destroy this connector: touch nothing afterwards
}

// ---------------------------------------------------------------------------------------------

Result<std::unique_ptr<TcpAcceptor>> TcpAcceptor::open(EventLoop& loop, const SocketAddress& address,
                                                       std::size_t max_connections, StreamOptions options,
                                                       AcceptCallback callback) {
  std::unique_ptr<TcpAcceptor> acceptor(new TcpAcceptor(loop));
  ZM_TRY(acceptor->fd_, open_listening_socket(address));
  ZM_TRY(acceptor->local_, ::zmesh::io::local_address(acceptor->fd_.get()));
  acceptor->max_connections_ = max_connections;
  acceptor->options_ = options;
  acceptor->callback_ = std::move(callback);
  TcpAcceptor* raw = acceptor.get();
  ZM_TRY(acceptor->watch_, loop.watch(acceptor->fd_.get(), true, false, [raw](IoEvents) { raw->accept_ready(); }));
  return acceptor;
}

TcpAcceptor::~TcpAcceptor() {
  alive_.expire();
  loop_.unwatch(watch_);
  loop_.cancel(resume_timer_);
}

void TcpAcceptor::accept_ready() {
  LifetimeObserver alive = alive_.observer();
  for (int i = 0; i < 64 && !alive.expired(); ++i) {
    UniqueFd fd(::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd.valid()) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR || errno == ECONNABORTED) continue;
      // EMFILE/ENFILE/ENOBUFS: the pending connection stays queued and epoll would report it
      // again at once; stop watching for a moment instead of spinning.
      log::warn("io", socket_error("accept", errno).message);
      loop_.unwatch(watch_);
      watch_ = 0;
      resume_timer_ = loop_.run_after(100 * kMillisecond, [this] {
        resume_timer_ = 0;
        auto w = loop_.watch(fd_.get(), true, false, [this](IoEvents) { accept_ready(); });
        if (w.ok()) watch_ = w.value();
      });
      return;
    }
    if (*live_ >= max_connections_) {
      ++refused_;
      continue;  // fd closes here: the client sees the connection end at once
    }
    auto stream = TcpStream::adopt(loop_, std::move(fd), options_);
    if (!stream.ok()) {
      log::warn("io", "accepted socket unusable: " + stream.error().message);
      continue;
    }
    ++*live_;
    std::weak_ptr<std::size_t> counter = live_;
    stream.value()->attach_slot(std::shared_ptr<void>(nullptr, [counter](void*) {
      if (auto c = counter.lock()) --*c;
    }));
    callback_(std::move(stream.value()));
  }
}

}  // namespace zmesh::io
