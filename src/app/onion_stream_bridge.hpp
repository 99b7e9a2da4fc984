// The socket half of a bridged onion stream (SOCKS client side and exit side alike): the
// TcpStream's callbacks become onion::StreamBridge inputs, and the bridge's actions become
// TcpStream and OnionService calls. What to copy when, flow control both ways and how each
// side's ending ends the other are onion::StreamBridge's (src/onion/stream_bridge.hpp),
// tested there without sockets; this class only executes.
//
// Stream events come from NodeRuntime's drain (through the OnionFrontend), which drains again
// after them; socket events come from the socket's own callbacks, so after them the bridge
// asks the DeferredDrain to send what its service calls queued.
#pragma once

#include <functional>
#include <memory>

#include "app/deferred_drain.hpp"
#include "io/tcp_stream.hpp"
#include "node/onion_service.hpp"
#include "onion/stream_bridge.hpp"

namespace zmesh::app {

// Socket options for a bridged connection: the send buffer limit is the bridge's high-water
// mark, and the tail a peer sent before hanging up must still be forwarded even while the
// bridge has paused reading.
io::StreamOptions bridged_socket_options();

class OnionStreamBridge {
 public:
  // `finished` runs once, when both the stream and the socket are done (destroying the bridge
  // is then allowed, though not from inside the call: defer it).
  OnionStreamBridge(node::OnionService& service, node::StreamKey stream, std::unique_ptr<io::TcpStream> socket,
                    DeferredDrain& drain, std::function<void()> finished);
  // Resets the stream (aborted) if it is still open; the caller drains the node afterwards.
  ~OnionStreamBridge();
  OnionStreamBridge(const OnionStreamBridge&) = delete;
  OnionStreamBridge& operator=(const OnionStreamBridge&) = delete;

  // Starts copying; `early` are socket bytes that arrived before (SOCKS pipelining).
  void start(Bytes early);
  // Every service event for this stream (readable, writable, peer_finished, closed, reset).
  void on_stream_event(const node::OnionStreamEvent& event);

  std::uint64_t bytes_to_stream() const { return bridge_.bytes_to_stream(); }
  std::uint64_t bytes_to_socket() const { return bridge_.bytes_to_socket(); }

 private:
  void execute_actions();
  void execute(onion::BridgeAction& action, Now now);
  // After an input from the socket's own callbacks.
  void after_socket_event();

  onion::StreamBridge bridge_;
  node::OnionService& service_;
  node::StreamKey stream_;
  std::unique_ptr<io::TcpStream> socket_;
  DeferredDrain& drain_;
  std::function<void()> finished_;
  io::EventLoop& loop_;
};

}  // namespace zmesh::app
