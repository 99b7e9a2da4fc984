// Helpers for io tests on real loopback sockets: an echo server that respects backpressure, a raw
// client socket (for sending hostile bytes by hand) driven by the same event loop, and a
// deterministic payload generator.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <deque>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "io/event_loop.hpp"
#include "io/transport.hpp"
#include "runtime/random.hpp"

namespace zmesh::io::test {

inline constexpr DurationUs kGenerous = 20 * kSecond;  // only a bound for real sockets, never logic

inline std::unique_ptr<EventLoop> make_loop() {
  auto loop = EventLoop::create();
  if (!loop.ok()) {
    ADD_FAILURE() << loop.error().describe();
    std::abort();
  }
  return std::move(loop.value());
}

inline Bytes pattern(std::size_t size, std::uint64_t seed) {
  SeededRandom random(seed);
  Bytes out(size);
  random.fill(out);
  return out;
}

// Echoes every message back on the same connection. When the peer reads slower than it sends,
// it queues (bounded by the peer's own behaviour in the test) and pauses receiving until
// on_writable, which is how a relay is expected to use the API.
class EchoServer {
 public:
  explicit EchoServer(Listener& listener) {
    listener.on_accept([this](std::unique_ptr<Connection> connection) { adopt(std::move(connection)); });
  }
  std::size_t closed_count = 0;
  std::vector<CloseReason> close_reasons;
  std::size_t live() const { return sessions_.size() - closed_count; }

 private:
  struct Session {
    std::unique_ptr<Connection> connection;
    std::deque<Bytes> pending;
  };
  void adopt(std::unique_ptr<Connection> connection) {
    auto session = std::make_shared<Session>();
    session->connection = std::move(connection);
    Session* s = session.get();
    s->connection->on_data([s](ByteView message) {
      if (!s->pending.empty()) {
        s->pending.emplace_back(message.begin(), message.end());
        return;
      }
      auto status = s->connection->send(message);
      if (!status.ok() && status.error().code == Errc::limit_exceeded) {
        s->pending.emplace_back(message.begin(), message.end());
        s->connection->set_receive_paused(true);
      }
    });
    s->connection->on_writable([s] { flush(*s); });
    s->connection->on_close([this](const CloseReason& reason) {
      ++closed_count;
      close_reasons.push_back(reason);
    });
    sessions_.push_back(session);
  }
  static void flush(Session& s) {
    while (!s.pending.empty()) {
      if (!s.connection->send(s.pending.front()).ok()) return;  // wait for the next on_writable
      s.pending.pop_front();
    }
    s.connection->set_receive_paused(false);
  }
  std::vector<std::shared_ptr<Session>> sessions_;
};

// A plain blocking-connect TCP socket whose reads are driven by the loop: for speaking raw
// HTTP/WebSocket bytes at a server, including malformed ones.
class RawClient {
 public:
  RawClient(EventLoop& loop, std::uint16_t port) : loop_(loop) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // Loopback connects complete in the kernel (listen backlog) without the server's accept().
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ADD_FAILURE() << "raw connect failed";
      eof = true;
      return;
    }
    auto w = loop_.watch(fd_, true, false, [this](IoEvents) { read_some(); });
    if (w.ok()) watch_ = w.value();
  }
  ~RawClient() {
    loop_.unwatch(watch_);
    if (fd_ >= 0) ::close(fd_);
  }
  void send(std::string_view bytes) { send(as_bytes(bytes)); }
  void send(ByteView bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return;  // the server may already have closed: the test checks the outcome
      done += static_cast<std::size_t>(n);
    }
  }
  std::string text() const { return std::string(received.begin(), received.end()); }
  bool wait_eof(DurationUs timeout = kGenerous) {
    return loop_.run_until([this] { return eof; }, timeout);
  }
  bool wait_bytes(std::size_t n, DurationUs timeout = kGenerous) {
    return loop_.run_until([this, n] { return received.size() >= n || eof; }, timeout) && received.size() >= n;
  }

  Bytes received;
  bool eof = false;

 private:
  void read_some() {
    std::uint8_t buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
    if (n > 0) {
      received.insert(received.end(), buf, buf + n);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      eof = true;
      loop_.unwatch(watch_);
      watch_ = 0;
    }
  }
  EventLoop& loop_;
  int fd_ = -1;
  EventLoop::WatchId watch_ = 0;
};

// Dials and drives the loop until the dial completes.
inline std::unique_ptr<Connection> dial_and_wait(EventLoop& loop, RandomSource& random, const std::string& url,
                                                 const TransportOptions& options = {}) {
  std::unique_ptr<Connection> out;
  std::optional<Error> error;
  bool done = false;
  DialHandle handle = dial(
      loop, random, url,
      [&](Result<std::unique_ptr<Connection>> result) {
        done = true;
        if (result.ok()) {
          out = std::move(result.value());
        } else {
          error = result.error();
        }
      },
      options);
  EXPECT_TRUE(loop.run_until([&] { return done; }, kGenerous)) << "dial did not complete: " << url;
  if (error) ADD_FAILURE() << "dial " << url << " failed: " << error->describe();
  return out;
}

// Collects messages and the close reason of a client connection.
struct Collector {
  explicit Collector(Connection& c) {
    c.on_data([this](ByteView m) { messages.emplace_back(m.begin(), m.end()); });
    c.on_close([this](const CloseReason& r) { reason = r; });
  }
  std::vector<Bytes> messages;
  std::optional<CloseReason> reason;
};

}  // namespace zmesh::io::test
