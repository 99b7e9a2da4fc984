// StreamMux: relay messages arriving from the other end of the circuit. Any breach of the
// protocol (docs/protocol/streams.md, "Errors") fails the whole circuit: a peer that
// overruns a window or sends data on a stream it never opened cannot be trusted with others.
#include <algorithm>

#include "onion/stream_mux.hpp"

namespace zmesh::onion {
namespace {

Error violation(const std::string& why) { return make_error(Errc::protocol_violation, "stream mux: " + why); }

std::string on_stream(const StreamMessage& m) {
  return std::string(stream_command_name(m.command)) + " on stream " + std::to_string(m.stream_id);
}

}  // namespace

Status StreamMux::on_circuit_message(TimeUs now, ByteView message) {
  if (failed()) return make_error(Errc::closed, "stream mux: circuit failed or closed");
  ++counters_.messages_received;
  auto decoded = decode_stream_message(message);
  if (!decoded.ok()) return fail(violation("undecodable message: " + decoded.error().describe()));
  const Status handled = handle_message(now, *decoded);
  if (!handled.ok()) return fail(handled.error());
  return check_event_overflow();
}

Status StreamMux::handle_message(TimeUs now, const StreamMessage& m) {
  if (m.command == StreamCommand::begin) return handle_begin(now, m);
  StreamState* s = find(m.stream_id);
  if (m.command == StreamCommand::sendme) return handle_sendme(s, m);
  if (m.command == StreamCommand::data) return handle_data(s, m);
  if ((m.command == StreamCommand::connected || m.command == StreamCommand::begin_failed) && role_ != StreamMuxRole::client)
    return violation(on_stream(m) + " sent to an exit");
  if (s == nullptr) {
    // END, RESET or BEGIN_FAILED can cross our own terminal message; anything else cannot.
    if (m.command == StreamCommand::connected) return violation(on_stream(m) + ": no such stream");
    ++counters_.stale_messages;
    return {};
  }
  switch (m.command) {
    case StreamCommand::connected: return handle_connected(*s, m);
    case StreamCommand::begin_failed: return handle_begin_failed(*s, m);
    case StreamCommand::end: return handle_end(*s);
    case StreamCommand::reset: handle_reset(*s, m); return {};
    default: return violation(on_stream(m) + ": unexpected");
  }
}

Status StreamMux::handle_begin(TimeUs now, const StreamMessage& m) {
  if (role_ != StreamMuxRole::exit) return violation(on_stream(m) + " sent to a client");
  if (find(m.stream_id) != nullptr) return violation(on_stream(m) + ": id already in use");
  if (!has_room_for_stream()) {
    if (limit_refusals_.size() >= config_.max_streams) return violation("BEGIN flood while refusals cannot be sent");
    limit_refusals_.push_back(m.stream_id);
    ++counters_.streams_refused_limit;
    return {};
  }
  StreamState& s = streams_[m.stream_id];
  s.id = m.stream_id;
  s.phase = StreamPhase::accepting;
  s.send_credit = m.window;
  s.receive_window_left = config_.stream_window_bytes;  // announced in our CONNECTED
  s.deadline = now + config_.connect_timeout;
  emit(StreamEventKind::incoming, s.id).target = m.target;
  return {};
}

Status StreamMux::handle_connected(StreamState& s, const StreamMessage& m) {
  if (s.phase == StreamPhase::draining) return {};  // we gave up on it; our RESET is on its way
  if (s.phase != StreamPhase::opening || s.open_message_pending) return violation(on_stream(m) + ": not waiting for it");
  s.phase = StreamPhase::open;
  s.send_credit = m.window;
  s.deadline = kNever;
  emit(StreamEventKind::connected, s.id);
  queue_send(s);
  if (end_due(s)) queue_control(s);
  return {};
}

Status StreamMux::handle_begin_failed(StreamState& s, const StreamMessage& m) {
  if (s.phase == StreamPhase::open) return violation(on_stream(m) + " after CONNECTED");
  // BEGIN_FAILED ends the stream on both sides at once; the client answers nothing.
  detach_with(s, StreamEventKind::open_failed, m.reason);
  s.local_done = true;
  s.peer_done = true;
  retire_if_done(s);
  return {};
}

Status StreamMux::handle_data(StreamState* s, const StreamMessage& m) {
  if (circuit_receive_left_ == 0) return violation("DATA beyond the circuit window");
  --circuit_receive_left_;
  ++circuit_not_granted_;  // credited back once the bytes sit in their stream's bounded buffer
  if (s == nullptr) return violation(on_stream(m) + ": no such stream");
  if (s->phase == StreamPhase::draining) {
    counters_.discarded_data_bytes += m.data.size();
    return {};
  }
  if (s->phase != StreamPhase::open) return violation(on_stream(m) + " before CONNECTED");
  if (s->peer_done) return violation(on_stream(m) + " after END");
  if (m.data.size() > s->receive_window_left) return violation(on_stream(m) + ": stream window exceeded");
  s->receive_window_left -= m.data.size();
  s->received.append(m.data);
  counters_.data_bytes_received += m.data.size();
  if (!s->readable_notified) {
    s->readable_notified = true;
    emit(StreamEventKind::readable, s->id);
  }
  return {};
}

Status StreamMux::handle_end(StreamState& s) {
  if (s.phase == StreamPhase::draining) {
    s.peer_done = true;
    retire_if_done(s);
    return {};
  }
  if (s.phase != StreamPhase::open) return violation("END on stream " + std::to_string(s.id) + " before CONNECTED");
  if (s.peer_done) return violation("END twice on stream " + std::to_string(s.id));
  s.peer_done = true;
  emit(StreamEventKind::peer_finished, s.id);
  check_closed(s);
  return {};
}

void StreamMux::handle_reset(StreamState& s, const StreamMessage& m) {
  s.peer_done = true;
  if (s.phase != StreamPhase::draining) {
    // The peer aborted: tell the application, drop the buffers, and answer with our own
    // terminal message unless one is already out (so that the peer can forget the id).
    const StreamError reported = m.reason == StreamError::none ? StreamError::aborted : m.reason;
    detach_with(s, s.phase == StreamPhase::opening ? StreamEventKind::open_failed : StreamEventKind::reset, reported);
    s.phase = StreamPhase::draining;
    s.received.release();
    s.to_send.release();
    s.finish_requested = false;
    s.open_message_pending = false;
    s.deadline = kNever;
    if (!s.local_done) {
      s.reset_pending = true;
      s.local_reason = StreamError::none;
      queue_control(s);
    }
  }
  retire_if_done(s);
}

Status StreamMux::handle_sendme(StreamState* s, const StreamMessage& m) {
  if (m.stream_id == kCircuitStreamId) {
    circuit_send_credit_ += m.window;
    if (circuit_send_credit_ > kMaxCircuitWindowMessages) return violation("circuit SENDME credit above the maximum window");
    return {};
  }
  if (s == nullptr || s->phase == StreamPhase::draining) {
    ++counters_.stale_messages;
    return {};
  }
  s->send_credit += m.window;
  if (s->send_credit > kMaxStreamWindowBytes) return violation(on_stream(m) + ": credit above the maximum window");
  queue_send(*s);
  return {};
}

}  // namespace zmesh::onion
