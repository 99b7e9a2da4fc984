// A nonblocking TCP byte stream on the event loop, the base of every stream transport (framed
// TCP, WebSocket, HTTP). Bounded write buffer with all-or-nothing writes (backpressure),
// receive pausing, an idle timeout, graceful close (flush, FIN, wait for the peer's FIN,
// bounded by a linger timeout) and one on_close per stream, always delivered from the loop,
// never from inside a call the owner made. The owner may destroy the stream inside any callback.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "io/close_reason.hpp"
#include "io/event_loop.hpp"
#include "io/socket.hpp"
#include "util/bytes.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io {

struct StreamOptions {
  std::size_t send_buffer_bytes = 1 << 20;  // high-water mark: write() refuses beyond it
  std::size_t read_chunk_bytes = 64 * 1024;  // one read(2) at most this much
  DurationUs linger_timeout = 2 * kSecond;   // close(): time allowed to flush and see the peer's FIN
  // The peer hung up while receive is paused: false aborts (reset); true delivers what the
  // kernel still holds (bounded by the socket's receive buffer: nothing new can come) and then
  // the EOF, for owners that forward a byte stream and must not lose its tail (onion streams).
  bool read_after_hangup_while_paused = false;
};

class TcpStream {
 public:
  using DataCallback = std::function<void(ByteView)>;
  using CloseCallback = std::function<void(const CloseReason&)>;
  using WritableCallback = std::function<void()>;

  // Takes a connected nonblocking socket.
  static Result<std::unique_ptr<TcpStream>> adopt(EventLoop& loop, UniqueFd fd, const StreamOptions& options);
  ~TcpStream();
  TcpStream(const TcpStream&) = delete;
  TcpStream& operator=(const TcpStream&) = delete;

  void on_data(DataCallback callback) { on_data_ = std::move(callback); }
  void on_close(CloseCallback callback) { on_close_ = std::move(callback); }
  // Called once the buffer drained below half after a write() was refused for lack of room.
  void on_writable(WritableCallback callback) { on_writable_ = std::move(callback); }

  // Queues first+second as one unit, or nothing: Errc::limit_exceeded when the send buffer
  // would pass its high-water mark (wait for on_writable), Errc::closed after close/failure.
  Status write(ByteView first, ByteView second = {});
  std::size_t buffered_bytes() const { return write_buffer_.size() - write_offset_; }
  std::size_t send_buffer_bytes() const { return options_.send_buffer_bytes; }

  // Graceful: flush, shutdown(SHUT_WR), wait for the peer's EOF (at most linger_timeout), then
  // on_close(reason). Incoming data is discarded from now on.
  void close(CloseReason reason = {});
  // Immediate: drop buffered output, close the socket, on_close(reason) from the loop.
  void abort(CloseReason reason);
  bool is_open() const { return state_ == State::open; }

  // No byte received for `timeout` → abort(timeout). 0 disables. Restarts the idle clock.
  void set_idle_timeout(DurationUs timeout);
  // Stops reading from the socket (the kernel's window then pushes back on the peer).
  void set_receive_paused(bool paused);

  const SocketAddress& peer() const { return peer_; }
  const SocketAddress& local() const { return local_; }
  std::uint64_t bytes_in() const { return bytes_in_; }
  std::uint64_t bytes_out() const { return bytes_out_; }
  EventLoop& loop() { return loop_; }

  // An opaque token kept as long as the stream lives (a listener's connection slot).
  void attach_slot(std::shared_ptr<void> slot) { slot_ = std::move(slot); }

 private:
  enum class State { open, flushing, draining, closed };

  TcpStream(EventLoop& loop, UniqueFd fd, const StreamOptions& options);
  void handle_io(IoEvents events);
  void read_ready();
  void flush();
  void update_interest();
  void finish(CloseReason reason);
  void arm_idle_timer();
  void begin_draining();

  EventLoop& loop_;
  UniqueFd fd_;
  StreamOptions options_;
  EventLoop::WatchId watch_ = 0;
  State state_ = State::open;
  CloseReason pending_reason_;
  Bytes write_buffer_;
  std::size_t write_offset_ = 0;
  std::vector<std::uint8_t> read_buffer_;
  bool want_writable_ = false;
  bool receive_paused_ = false;
  bool hangup_seen_ = false;  // read_after_hangup_while_paused: reading despite the pause
  bool interest_write_ = false;
  bool interest_read_ = true;
  DurationUs idle_timeout_ = 0;
  TimeUs last_receive_ = 0;
  EventLoop::TimerId idle_timer_ = 0;
  EventLoop::TimerId linger_timer_ = 0;
  EventLoop::TimerId close_timer_ = 0;
  std::uint64_t bytes_in_ = 0;
  std::uint64_t bytes_out_ = 0;
  SocketAddress peer_;
  SocketAddress local_;
  DataCallback on_data_;
  CloseCallback on_close_;
  WritableCallback on_writable_;
  std::shared_ptr<void> slot_;
  LifetimeGuard alive_;
};

// Connects to the first address that answers, trying them in order, within `timeout` overall.
// The callback runs exactly once, from the loop; destroying the connector cancels it silently.
class TcpConnector {
 public:
  using Callback = std::function<void(Result<std::unique_ptr<TcpStream>>)>;
  TcpConnector(EventLoop& loop, std::vector<SocketAddress> addresses, DurationUs timeout,
               StreamOptions options, Callback callback);
  ~TcpConnector();
  TcpConnector(const TcpConnector&) = delete;
  TcpConnector& operator=(const TcpConnector&) = delete;

 private:
  void try_next();
  void on_connect_event();
  void complete(Result<std::unique_ptr<TcpStream>> result);
  void cleanup();

  EventLoop& loop_;
  std::vector<SocketAddress> addresses_;
  std::size_t next_ = 0;
  StreamOptions options_;
  Callback callback_;
  UniqueFd fd_;
  EventLoop::WatchId watch_ = 0;
  EventLoop::TimerId deadline_timer_ = 0;
  EventLoop::TimerId step_timer_ = 0;
  std::string last_error_ = "no address";
};

// A listening socket that hands accepted streams to a callback, refusing (accept + close) new
// connections while `max_connections` accepted streams are alive.
class TcpAcceptor {
 public:
  using AcceptCallback = std::function<void(std::unique_ptr<TcpStream>)>;
  static Result<std::unique_ptr<TcpAcceptor>> open(EventLoop& loop, const SocketAddress& address,
                                                   std::size_t max_connections, StreamOptions options,
                                                   AcceptCallback callback);
  ~TcpAcceptor();

  const SocketAddress& local_address() const { return local_; }
  std::size_t live_connections() const { return *live_; }
  std::uint64_t refused_connections() const { return refused_; }

 private:
  TcpAcceptor(EventLoop& loop) : loop_(loop) {}
  void accept_ready();

  EventLoop& loop_;
  UniqueFd fd_;
  EventLoop::WatchId watch_ = 0;
  EventLoop::TimerId resume_timer_ = 0;
  SocketAddress local_;
  std::size_t max_connections_ = 0;
  StreamOptions options_;
  AcceptCallback callback_;
  std::shared_ptr<std::size_t> live_ = std::make_shared<std::size_t>(0);
  std::uint64_t refused_ = 0;
  LifetimeGuard alive_;  // the callback may destroy us
};

}  // namespace zmesh::io
