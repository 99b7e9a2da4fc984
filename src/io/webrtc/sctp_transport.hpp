// SCTP over DTLS (RFC 8261) with usrsctp in its "no threads" mode: SCTP packets go in through
// usrsctp_conninput, come out through the AF_CONN output callback into DTLS, and usrsctp's
// timers are driven from the event loop (UsrsctpRuntime). Everything runs on the loop thread.
// One association per transport, one-to-one socket, messages with EOR semantics.
//
// A message is delivered only whole (partial deliveries are reassembled, bounded by the
// advertised max-message-size: a peer that exceeds it gets its association aborted).
// Sends that do not fit usrsctp's buffer wait in a bounded queue of our own.
#pragma once

#include <deque>
#include <functional>
#include <memory>

#include "io/event_loop.hpp"
#include "io/webrtc/dcep.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"
#include "util/lifetime.hpp"

struct socket;  // usrsctp's

namespace zmesh::io::webrtc {

// RFC 8831 §6.6 reliability of one message.
struct SctpSendOptions {
  bool unordered = false;
  enum class Limit { none, retransmits, lifetime_ms } limit = Limit::none;
  std::uint32_t limit_value = 0;
};

struct SctpConfig {
  std::uint16_t local_port = 5000;
  std::uint16_t remote_port = 5000;
  std::size_t max_receive_message_bytes = 256 * 1024;  // what we advertised in a=max-message-size
  std::size_t send_queue_bytes = 4 << 20;              // our own queue above usrsctp's buffer
};

class SctpTransport {
 public:
  struct Callbacks {
    std::function<void(ByteView packet)> send_packet;  // to DTLS
    std::function<void()> on_connected;
    std::function<void(std::uint16_t stream, Ppid ppid, ByteView message)> on_message;
    std::function<void(std::uint16_t stream)> on_incoming_stream_reset;
    std::function<void()> on_writable;
    std::function<void(const Error& error)> on_failed;  // abort, lost, refused, oversized message
    std::function<void()> on_closed;                     // graceful SHUTDOWN completed
  };

  // Errc::invalid_argument when another event loop already drives usrsctp (one per process).
  static Result<std::unique_ptr<SctpTransport>> create(EventLoop& loop, const SctpConfig& config, Callbacks callbacks);
  ~SctpTransport();
  SctpTransport(const SctpTransport&) = delete;
  SctpTransport& operator=(const SctpTransport&) = delete;

  // Both sides connect (RFC 8841 §5: SCTP simultaneous open is fine).
  Status start();
  void on_packet(ByteView packet);  // a DTLS record from the peer

  // Errc::limit_exceeded when our queue is full (wait for on_writable), Errc::closed after close.
  Status send(std::uint16_t stream, Ppid ppid, ByteView message, const SctpSendOptions& options);
  // RFC 8831 §6.7: closing a channel resets its outgoing stream.
  void reset_stream(std::uint16_t stream);
  // Graceful SHUTDOWN once queued data went out.
  void shutdown();
  void set_receive_paused(bool paused);

  bool connected() const { return state_ == State::connected; }
  std::size_t queued_bytes() const { return queued_bytes_; }

  // Called by UsrsctpRuntime's output callback and upcall (usrsctp context).
  void output(ByteView packet);
  void mark_events();

 private:
  enum class State { idle, connecting, connected, closing, closed, failed };
  struct Pending {
    std::uint16_t stream;
    Ppid ppid;
    Bytes data;
    SctpSendOptions options;
  };

  SctpTransport(EventLoop& loop, const SctpConfig& config, Callbacks callbacks);
  Status configure_socket();
  void process_events();
  bool read_some();
  void handle_notification(ByteView bytes);
  void flush_queue();
  void try_resets();
  // 1 sent, 0 would block, -1 error (already reported).
  int send_now(std::uint16_t stream, Ppid ppid, ByteView message, const SctpSendOptions& options);
  void fail(Error error);

  EventLoop& loop_;
  SctpConfig config_;
  Callbacks callbacks_;
  std::shared_ptr<class UsrsctpRuntime> runtime_;
  struct socket* socket_ = nullptr;
  State state_ = State::idle;
  bool receive_paused_ = false;
  bool events_pending_ = false;
  bool shutdown_requested_ = false;
  bool want_writable_ = false;
  EventLoop::TimerId events_timer_ = 0;
  Bytes receive_buffer_;
  Bytes partial_message_;
  Bytes partial_notification_;
  std::deque<Pending> queue_;
  std::size_t queued_bytes_ = 0;
  std::deque<std::uint16_t> resets_;
  LifetimeGuard alive_;
};

}  // namespace zmesh::io::webrtc
