// StreamBridge: the logic of copying bytes both ways between a local TCP socket and an onion
// stream (SOCKS client side and exit side alike), as a sans-IO state machine. It owns neither
// the socket nor the stream: the driver (src/app/onion_stream_bridge.*) reports what happened
// to each and executes the actions it asks for, so the whole behaviour is tested without
// sockets (tests/onion/stream_bridge_test.cpp).
//
// Driving it:
//   socket side   on_socket_data(bytes)    bytes read from the socket
//                 on_socket_writable()     the socket refused a write earlier and has room
//                 on_socket_eof()          the socket closed in order (peer FIN, or our close)
//                 on_socket_error()        the socket failed or was aborted
//   stream side   on_stream_event(kind)    readable / writable / peer_finished / closed /
//                                          reset / open_failed (connected, incoming: ignored)
//   then          while (auto a = bridge.poll_action()) execute it, and for the four actions
//                 that ask a question answer it before the next poll_action():
//                   WriteToStream   → on_stream_took(bytes the stream took, 0 on error)
//                   ReadFromStream  → on_stream_read(bytes read into `into`, stream at EOF?)
//                   WriteToSocket   → on_socket_took(accepted?)   (all or nothing)
//                   FinishStream    → on_stream_finish_result(ok?)
// poll_action() computes the next action from the state (as quinn-proto's poll_transmit), so
// the views an action carries stay valid until the next call into the bridge.
//
// Flow control, both ways, without buffering more than one read of each side:
//  - socket → stream: bytes go into the stream only as far as it takes them (its writable
//    window); while some are left over, the socket is paused (its TCP window then pushes back
//    on the local application) until the stream reports `writable`.
//  - stream → socket: the stream is read one chunk at a time, and only while the socket takes
//    writes. The socket's send buffer limit is the high-water mark (the driver sets it,
//    kBridgedSocketHighWaterBytes): a refused write holds the chunk and stops reading until
//    on_socket_writable(), so the stream's receive window pushes back on the far end.
//
// Endings: the stream closing in order flushes and closes the socket, and so does reaching the
// stream's EOF (peer finished, every byte read and written); a reset or failed open aborts
// it; the socket's EOF finishes the stream after every byte read from it went in; a socket
// error resets the stream (connection_reset). A TCP socket has no half-close here, so once
// either side finished, bytes still flowing the other way after the socket closed are read
// from the stream and discarded (HTTP and most protocols do not half-close). `Finished` comes
// once both the socket and the stream are done.
//
// Not for: SOCKS (onion::Socks5Server), choosing or opening streams, the exit policy.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>

#include "onion/stream_byte_queue.hpp"
#include "onion/stream_error.hpp"
#include "onion/stream_mux.hpp"
#include "util/bytes.hpp"

namespace zmesh::onion {

// The bridged socket's send buffer limit: well below a TcpStream's 1 MiB default, so that a
// slow local reader stops the stream (and its far end) rather than filling memory.
inline constexpr std::size_t kBridgedSocketHighWaterBytes = 256 * 1024;

struct StreamBridgeConfig {
  std::size_t read_chunk_bytes = 16 * 1024;  // one ReadFromStream at most this much
};

namespace bridge {
// Write these bytes to the socket; answer with on_socket_took().
struct WriteToSocket {
  ByteView bytes;
};
// Stop (true) or resume (false) reading from the socket.
struct PauseSocket {
  bool paused = false;
};
// Close the socket: flush what was written, then FIN (abort = false), or drop everything now.
struct CloseSocket {
  bool abort = false;
};
// Write these bytes to the stream; answer with on_stream_took().
struct WriteToStream {
  ByteView bytes;
};
// Read at most into.size() bytes from the stream into `into`; answer with on_stream_read().
struct ReadFromStream {
  MutableByteView into;
};
// Finish the stream (orderly END); answer with on_stream_finish_result().
struct FinishStream {};
// Reset the stream with `error`; no stream event follows.
struct ResetStream {
  StreamError error = StreamError::connection_reset;
};
// The socket and the stream are both done: the owner may destroy the bridge (once).
struct Finished {};
}  // namespace bridge

using BridgeAction = std::variant<bridge::WriteToSocket, bridge::PauseSocket, bridge::CloseSocket,
                                  bridge::WriteToStream, bridge::ReadFromStream, bridge::FinishStream,
                                  bridge::ResetStream, bridge::Finished>;

class StreamBridge {
 public:
  // Starts with the stream open both ways and maybe readable (the first poll tries a read) and
  // the socket reading.
  explicit StreamBridge(StreamBridgeConfig config = {});

  // --- socket side ---
  void on_socket_data(ByteView bytes);
  void on_socket_writable();
  void on_socket_eof();
  void on_socket_error();

  // --- stream side ---
  void on_stream_event(StreamEventKind kind);

  // --- actions and their answers ---
  std::optional<BridgeAction> poll_action();
  void on_stream_took(std::size_t bytes);
  void on_stream_read(std::size_t bytes, bool at_eof);
  void on_socket_took(bool accepted);
  void on_stream_finish_result(bool ok);

  // --- inspection ---
  // The stream needs no more calls (closed, reset, failed, or reset by us).
  bool stream_done() const { return stream_done_; }
  bool socket_done() const { return socket_done_; }
  bool finished() const { return finished_reported_; }
  std::uint64_t bytes_to_stream() const { return bytes_to_stream_; }
  std::uint64_t bytes_to_socket() const { return bytes_to_socket_; }
  // Socket bytes not yet taken by the stream (the socket is paused while this is not 0).
  std::size_t pending_to_stream() const { return to_stream_.size(); }

 private:
  // The question an action asked; its answer must come before the next poll_action().
  enum class Awaiting : std::uint8_t { nothing, stream_write, stream_read, socket_write, stream_finish };

  std::optional<BridgeAction> next_socket_action();
  std::optional<BridgeAction> next_stream_action();
  void expect(Awaiting answer);
  bool socket_writing_allowed() const { return !socket_done_ && !close_sent_; }

  StreamBridgeConfig config_;
  StreamByteQueue to_stream_;  // read from the socket, not yet taken by the stream
  Bytes to_socket_;            // one chunk read from the stream, not yet taken by the socket
  std::size_t to_socket_bytes_ = 0;
  Awaiting awaiting_ = Awaiting::nothing;

  // socket
  bool socket_paused_ = false;   // as last asked of the driver
  bool socket_blocked_ = false;  // a write was refused: wait for on_socket_writable()
  bool socket_eof_ = false;      // closed in order: finish the stream after to_stream_
  bool socket_done_ = false;
  bool close_wanted_ = false;
  bool abort_wanted_ = false;
  bool close_sent_ = false;

  // stream
  bool stream_readable_ = true;   // read until a read returns 0 (the mux then sends `readable`)
  bool stream_blocked_ = false;   // a write was cut short: wait for `writable`
  bool stream_at_eof_ = false;    // the peer finished and every byte was read
  bool finish_sent_ = false;
  std::optional<StreamError> reset_wanted_;
  bool stream_done_ = false;

  bool finished_reported_ = false;
  std::uint64_t bytes_to_stream_ = 0;
  std::uint64_t bytes_to_socket_ = 0;
};

}  // namespace zmesh::onion
