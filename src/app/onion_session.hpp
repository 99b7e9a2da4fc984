// One local TCP connection's part in an onion stream, client side (SocksSession) or exit side
// (ExitSession), and what the OnionFrontend offers them. Sessions are owned by the frontend,
// keyed by a session id; stream events reach them through bind(), from NodeRuntime's drain.
// A session that calls the service from its own socket, timer or resolver callbacks asks
// drain() to send what the call queued; it never runs the node itself.
#pragma once

#include <cstdint>

#include "app/deferred_drain.hpp"
#include "io/event_loop.hpp"
#include "node/onion_service.hpp"

namespace zmesh::app {

using SessionId = std::uint64_t;

class OnionSessionOwner {
 public:
  virtual ~OnionSessionOwner() = default;
  virtual io::EventLoop& loop() = 0;
  virtual node::OnionService& service() = 0;
  // Asks for NodeRuntime's drain after a call into the service from outside it.
  virtual DeferredDrain& drain() = 0;
  // Routes the stream's events to the session from now on.
  virtual void bind(node::StreamKey stream, SessionId session) = 0;
  // The session is finished; it is destroyed later, by the frontend's poll() in the drain.
  virtual void session_done(SessionId session) = 0;
};

class OnionSession {
 public:
  virtual ~OnionSession() = default;
  virtual void on_stream_event(const node::OnionStreamEvent& event) = 0;
};

}  // namespace zmesh::app
