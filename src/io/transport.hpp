// The transport interface the link layer rides on: a connection that carries whole binary
// messages in both directions, whatever the transport underneath (length-framed TCP, WebSocket
// binary messages; later WebRTC data channels and QUIC streams). See docs/protocol/transports.md.
//
// Contract for every Connection:
//  - on_data delivers exactly one whole message per call (never a partial or merged one);
//  - send() queues one whole message or nothing (backpressure: Errc::limit_exceeded means
//    "wait for on_writable", Errc::too_large means "never fits", Errc::closed means "gone");
//  - on_close fires exactly once, from the event loop, never from inside send()/close(); after
//    close() it fires with CloseKind::local once the close completed;
//  - the owner may destroy the Connection inside any of its callbacks; destroying it closes the
//    socket immediately without calling on_close.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "io/close_reason.hpp"
#include "io/event_loop.hpp"
#include "io/length_framing.hpp"
#include "runtime/random.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::io {

class Connection {
 public:
  using DataCallback = std::function<void(ByteView message)>;
  using CloseCallback = std::function<void(const CloseReason& reason)>;
  using WritableCallback = std::function<void()>;

  virtual ~Connection() = default;

  virtual Status send(ByteView message) = 0;
  virtual void close() = 0;

  virtual void on_data(DataCallback callback) = 0;
  virtual void on_close(CloseCallback callback) = 0;
  virtual void on_writable(WritableCallback callback) = 0;

  // Closes with CloseKind::timeout when no byte arrives for `timeout` (0 disables). Restarts the
  // idle clock. The node uses it as the handshake deadline for fresh connections, then as the
  // keep-alive bound.
  virtual void set_idle_timeout(DurationUs timeout) = 0;
  // Stop/resume reading from the peer (receive-side backpressure through TCP flow control).
  virtual void set_receive_paused(bool paused) = 0;

  // "127.0.0.1:50123" / "[::1]:4433" of the peer.
  virtual std::string remote_description() const = 0;
  // "tcp" or "ws".
  virtual const char* transport_name() const = 0;
  // Bytes on the wire, including framing and handshake.
  virtual std::uint64_t bytes_in() const = 0;
  virtual std::uint64_t bytes_out() const = 0;
  virtual std::size_t send_buffered_bytes() const = 0;
  virtual std::size_t max_message_bytes() const = 0;
};

class Listener {
 public:
  using AcceptCallback = std::function<void(std::unique_ptr<Connection>)>;
  virtual ~Listener() = default;
  // Accepted connections are handed over fully established (WebSocket: after the upgrade).
  virtual void on_accept(AcceptCallback callback) = 0;
  // The URL others can dial, with the real port when listening on port 0.
  virtual std::string local_url() const = 0;
  virtual std::uint16_t port() const = 0;
  // Live accepted connections (including ones still in their HTTP upgrade).
  virtual std::size_t connection_count() const = 0;
};

struct TransportOptions {
  std::size_t max_message_bytes = kDefaultMaxMessageBytes;  // ≤ kHardMaxMessageBytes
  std::size_t send_buffer_bytes = 1 << 20;                  // per connection, high-water mark
  DurationUs connect_timeout = 10 * kSecond;                // TCP connect (dial)
  DurationUs handshake_timeout = 10 * kSecond;              // WebSocket upgrade, both sides
  DurationUs idle_timeout = 0;                              // initial idle timeout, 0 = none
  DurationUs close_timeout = 2 * kSecond;                   // close(): flush + close handshake bound
  std::size_t max_connections = 1024;                       // per listener
  std::string ws_subprotocol = "zmesh.v1";                  // Sec-WebSocket-Protocol
};

class DialAttempt;

// Owns an outgoing dial. Destroying it (or cancel()) before completion cancels the dial and the
// callback never runs. detach() lets the dial run to completion on its own.
class [[nodiscard]] DialHandle {
 public:
  DialHandle() = default;
  explicit DialHandle(std::shared_ptr<DialAttempt> attempt) : attempt_(std::move(attempt)) {}
  DialHandle(DialHandle&&) noexcept = default;
  DialHandle& operator=(DialHandle&& other) noexcept;
  ~DialHandle() { cancel(); }

  void cancel();
  void detach();
  bool pending() const;

 private:
  std::shared_ptr<DialAttempt> attempt_;
};

using DialCallback = std::function<void(Result<std::unique_ptr<Connection>>)>;

// Dials "tcp://HOST:PORT" or "ws://HOST:PORT/PATH". The callback runs once, from the loop.
// `random` supplies WebSocket keys and client masks; it must outlive the connection.
DialHandle dial(EventLoop& loop, RandomSource& random, std::string_view url, DialCallback callback,
                const TransportOptions& options = {});

// Listens on "tcp://HOST:PORT" or "ws://HOST:PORT/PATH" (HOST must be an IP literal; port 0
// picks a free port).
Result<std::unique_ptr<Listener>> listen(EventLoop& loop, std::string_view url, const TransportOptions& options = {});

}  // namespace zmesh::io
