// One stream's bookkeeping inside a StreamMux (an implementation detail of stream_mux*.cpp;
// applications see only StreamId and StreamEvent). Lifecycle and rules:
// docs/protocol/streams.md, "Stream lifecycle".
#pragma once

#include <cstdint>

#include "onion/stream_byte_queue.hpp"
#include "onion/stream_message.hpp"
#include "runtime/time.hpp"

namespace zmesh::onion {

enum class StreamPhase : std::uint8_t {
  opening,    // client: BEGIN queued or sent, waiting for CONNECTED or BEGIN_FAILED
  accepting,  // exit: BEGIN received, the application is connecting to the target
  open,       // data flows, each direction until its END
  draining,   // the application is done with it (reset, refused, timed out); waiting only for
              // the peer's terminal message so that the id cannot be confused with a new stream
};

struct StreamState {
  StreamId id = 0;
  StreamPhase phase = StreamPhase::opening;
  TimeUs deadline = kNever;  // connect / accept timeout, or linger while draining
  StreamTarget target;       // client: what BEGIN asks for

  // Control messages waiting to be sent.
  bool open_message_pending = false;  // BEGIN (client) or CONNECTED (exit)
  bool refusal_pending = false;       // BEGIN_FAILED (exit)
  bool reset_pending = false;         // RESET
  StreamError local_reason = StreamError::none;  // of the pending BEGIN_FAILED / RESET
  bool finish_requested = false;      // END once `to_send` has drained

  // Terminal messages: END, RESET or BEGIN_FAILED. A stream is forgotten once both sides have
  // sent one and the application has been told the outcome.
  bool local_done = false;
  bool end_sent = false;
  bool reset_sent = false;
  bool peer_done = false;
  bool app_detached = false;

  // Receiving: bytes from the peer not yet read by the application.
  StreamByteQueue received;
  std::uint64_t receive_window_left = 0;  // bytes the peer may still send before our next SENDME
  std::uint64_t read_not_granted = 0;     // read by the application, not yet given back as credit
  bool readable_notified = false;

  // Sending: bytes written by the application not yet handed to the circuit.
  StreamByteQueue to_send;
  std::uint64_t send_credit = 0;  // bytes the peer lets us send
  bool want_writable = false;

  bool in_control_queue = false;
  bool in_send_queue = false;

  bool app_attached() const { return !app_detached; }
};

}  // namespace zmesh::onion
