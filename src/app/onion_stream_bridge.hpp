// Copies bytes both ways between a TCP connection and an onion stream once the stream is open
// (SOCKS client side and exit side alike), with flow control on both: socket bytes go into
// the stream only as far as OnionService::writable_bytes() allows (the socket stops being
// read meanwhile), and stream bytes are read only while the socket's send buffer is below a
// high-water mark (the stream's window then pushes back on the far end).
//
// Endings: the stream closing in order flushes and closes the socket; a reset aborts it; the
// socket's EOF finishes the stream after every byte read from it went in; a socket error
// resets the stream. TcpStream has no half-close, so once either side finished, bytes still
// flowing the other way after the socket closed are discarded (HTTP and most protocols do
// not half-close).
#pragma once

#include <functional>
#include <memory>

#include "io/tcp_stream.hpp"
#include "node/onion_service.hpp"

namespace zmesh::app {

// Socket options for a bridged connection: the tail a peer sent before hanging up must still be
// forwarded even while the bridge has paused reading.
io::StreamOptions bridged_socket_options();

class OnionStreamBridge {
 public:
  // `pump` runs after each call into the service (drains NodeCore's actions); `finished` once,
  // when both the stream and the socket are done (destroying the bridge is then allowed,
  // though not from inside the call: defer it).
  OnionStreamBridge(node::OnionService& service, node::StreamKey stream, std::unique_ptr<io::TcpStream> socket,
                    std::function<void()> pump, std::function<void()> finished);
  ~OnionStreamBridge();

  // Starts copying; `early` are socket bytes that arrived before (SOCKS pipelining).
  void start(Bytes early);
  // Every service event for this stream (readable, writable, peer_finished, closed, reset).
  void on_stream_event(const node::OnionStreamEvent& event);

  std::uint64_t bytes_to_stream() const { return to_stream_; }
  std::uint64_t bytes_to_socket() const { return to_socket_; }

 private:
  void push_to_stream();
  void pull_from_stream();
  void on_socket_closed(const io::CloseReason& reason);
  void stream_ended();
  void close_socket(bool abort);
  void check_finished();

  node::OnionService& service_;
  node::StreamKey stream_;
  std::unique_ptr<io::TcpStream> socket_;
  std::function<void()> pump_;
  std::function<void()> finished_;
  io::EventLoop& loop_;
  Bytes pending_;            // read from the socket, not yet taken by the stream
  bool socket_eof_ = false;  // the socket closed in order: finish the stream after pending_
  bool socket_done_ = false;
  bool stream_done_ = false;
  bool stream_finished_ = false;
  bool reported_ = false;
  std::uint64_t to_stream_ = 0;
  std::uint64_t to_socket_ = 0;
};

}  // namespace zmesh::app
