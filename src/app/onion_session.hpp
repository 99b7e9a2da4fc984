// One local TCP connection's part in an onion stream, client side (SocksSession) or exit side
// (ExitSession), and what the onion glue offers them. Sessions are owned by the glue, keyed
// by a session id; stream events reach them through bind().
#pragma once

#include <cstdint>

#include "io/event_loop.hpp"
#include "node/onion_service.hpp"

namespace zmesh::app {

using SessionId = std::uint64_t;

class OnionSessionOwner {
 public:
  virtual ~OnionSessionOwner() = default;
  virtual io::EventLoop& loop() = 0;
  virtual node::OnionService& service() = 0;
  // Drains what the service queued (NodeCore actions) after a call into it.
  virtual void pump() = 0;
  // Routes the stream's events to the session from now on.
  virtual void bind(node::StreamKey stream, SessionId session) = 0;
  // The session is finished; it is destroyed later, outside the current callback.
  virtual void session_done(SessionId session) = 0;
};

class OnionSession {
 public:
  virtual ~OnionSession() = default;
  virtual void on_stream_event(const node::OnionStreamEvent& event) = 0;
};

}  // namespace zmesh::app
