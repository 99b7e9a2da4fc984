// StreamMux: building the next relay message. Control messages (credit, opens, closes) go
// before data and are not flow-controlled (there are at most a few per stream); DATA is
// limited by the stream's and the circuit's credit and served round-robin across streams, so
// every stream with data and credit gets an equal share of the circuit.
#include <algorithm>

#include "onion/stream_mux.hpp"

namespace zmesh::onion {
std::optional<Bytes> StreamMux::poll_circuit_message() {
  if (failed()) return std::nullopt;
  const std::uint64_t circuit_threshold = std::max<std::uint64_t>(1, config_.circuit_window_messages / 4);
  if (circuit_not_granted_ >= circuit_threshold) {
    StreamMessage m = StreamMessage::make(StreamCommand::sendme, kCircuitStreamId);
    m.window = static_cast<std::uint32_t>(circuit_not_granted_);
    circuit_receive_left_ += circuit_not_granted_;
    circuit_not_granted_ = 0;
    ++counters_.messages_sent;
    return encode_stream_message(m);
  }
  if (!limit_refusals_.empty()) {
    StreamMessage m = StreamMessage::make(StreamCommand::begin_failed, limit_refusals_.front());
    m.reason = StreamError::resource_limit;
    limit_refusals_.pop_front();
    ++counters_.messages_sent;
    return encode_stream_message(m);
  }
  while (!control_queue_.empty()) {
    StreamState* s = find(control_queue_.front());
    std::optional<StreamMessage> m;
    if (s != nullptr && s->in_control_queue) m = next_control_message(*s);
    if (!m) {
      // Nothing (more) to say on this stream: leave the queue. A stream keeps its place
      // while it has several control messages, so they go out in order.
      if (s != nullptr) s->in_control_queue = false;
      control_queue_.pop_front();
      continue;
    }
    Bytes wire = encode_stream_message(*m);
    ++counters_.messages_sent;
    after_sent(*s, *m);  // may forget the stream
    return wire;
  }
  return next_data_message();
}

std::optional<StreamMessage> StreamMux::next_control_message(StreamState& s) {
  if (s.refusal_pending) {
    StreamMessage m = StreamMessage::make(StreamCommand::begin_failed, s.id);
    m.reason = s.local_reason;
    return m;
  }
  if (s.reset_pending) {
    StreamMessage m = StreamMessage::make(StreamCommand::reset, s.id);
    m.reason = s.local_reason;
    return m;
  }
  if (s.open_message_pending) {
    StreamMessage m = StreamMessage::make(role_ == StreamMuxRole::client ? StreamCommand::begin : StreamCommand::connected, s.id);
    m.window = config_.stream_window_bytes;
    m.target = s.target;
    return m;
  }
  if (sendme_due(s)) {
    StreamMessage m = StreamMessage::make(StreamCommand::sendme, s.id);
    m.window = static_cast<std::uint32_t>(s.read_not_granted);
    return m;
  }
  if (end_due(s)) return StreamMessage::make(StreamCommand::end, s.id);
  return std::nullopt;
}

void StreamMux::after_sent(StreamState& s, const StreamMessage& m) {
  switch (m.command) {
    case StreamCommand::begin:
    case StreamCommand::connected:
      s.open_message_pending = false;
      queue_send(s);  // the exit may have data ready as soon as CONNECTED is out
      return;
    case StreamCommand::begin_failed:
      s.refusal_pending = false;
      s.local_done = true;
      s.peer_done = true;  // BEGIN_FAILED ends the stream on both sides
      retire_if_done(s);
      return;
    case StreamCommand::reset:
      s.reset_pending = false;
      s.reset_sent = true;
      s.local_done = true;
      retire_if_done(s);
      return;
    case StreamCommand::sendme:
      s.receive_window_left += s.read_not_granted;
      s.read_not_granted = 0;
      return;
    case StreamCommand::end:
      s.end_sent = true;
      s.local_done = true;
      check_closed(s);
      return;
    case StreamCommand::data:
      return;
  }
}

std::optional<Bytes> StreamMux::next_data_message() {
  while (!send_queue_.empty() && circuit_send_credit_ > 0) {
    StreamState* s = find(send_queue_.front());
    send_queue_.pop_front();
    if (s == nullptr || !s->in_send_queue) continue;
    s->in_send_queue = false;
    if (s->to_send.empty() || s->send_credit == 0 || s->phase != StreamPhase::open || s->local_done || s->open_message_pending) continue;
    const std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>({s->to_send.size(), s->send_credit, max_data_payload_bytes()}));
    StreamMessage m = StreamMessage::make(StreamCommand::data, s->id);
    m.data = s->to_send.front(n);
    Bytes wire = encode_stream_message(m);
    s->to_send.consume(n);
    s->send_credit -= n;
    --circuit_send_credit_;
    ++counters_.messages_sent;
    counters_.data_bytes_sent += n;
    if (s->want_writable && writable_bytes(s->id) > 0) {
      s->want_writable = false;
      emit(StreamEventKind::writable, s->id);
    }
    queue_send(*s);  // to the back: round-robin
    if (end_due(*s)) queue_control(*s);
    return wire;
  }
  return std::nullopt;
}

}  // namespace zmesh::onion
