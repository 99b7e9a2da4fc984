// StreamMux: construction, the application-facing calls, timers and shared helpers.
// Receiving is in stream_mux_receive.cpp, sending in stream_mux_send.cpp.
#include "onion/stream_mux.hpp"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace zmesh::onion {
namespace {

std::size_t per_stream_bytes(const StreamMuxConfig& c) { return c.stream_window_bytes + c.stream_send_buffer_bytes; }

Error closed_error() { return make_error(Errc::closed, "stream mux: circuit failed or closed"); }

}  // namespace

Status StreamMuxConfig::check() const {
  if (max_streams == 0 || max_streams > 0xffff) return make_error(Errc::invalid_argument, "max_streams must be 1..65535");
  if (stream_window_bytes == 0 || stream_window_bytes > kMaxStreamWindowBytes) return make_error(Errc::invalid_argument, "stream_window_bytes out of range");
  if (stream_send_buffer_bytes == 0) return make_error(Errc::invalid_argument, "stream_send_buffer_bytes must be > 0");
  if (circuit_window_messages == 0 || circuit_window_messages > kMaxCircuitWindowMessages)
    return make_error(Errc::invalid_argument, "circuit_window_messages out of range");
  if (max_buffered_bytes < per_stream_bytes(*this)) return make_error(Errc::invalid_argument, "max_buffered_bytes below one stream's buffers");
  if (connect_timeout <= 0 || linger_timeout <= 0) return make_error(Errc::invalid_argument, "timeouts must be positive");
  return {};
}

const char* stream_event_kind_name(StreamEventKind kind) {
  switch (kind) {
    case StreamEventKind::incoming: return "incoming";
    case StreamEventKind::connected: return "connected";
    case StreamEventKind::open_failed: return "open_failed";
    case StreamEventKind::readable: return "readable";
    case StreamEventKind::writable: return "writable";
    case StreamEventKind::peer_finished: return "peer_finished";
    case StreamEventKind::closed: return "closed";
    case StreamEventKind::reset: return "reset";
  }
  return "unknown";
}

StreamMux::StreamMux(StreamMuxRole role, std::size_t max_relay_message_bytes, StreamMuxConfig config)
    : role_(role), max_relay_message_bytes_(max_relay_message_bytes), config_(config) {
  if (!config_.check().ok() || max_relay_message_bytes_ < kMinRelayMessageBytes) std::abort();  // programming error
  if (config_.max_pending_events == 0) config_.max_pending_events = 8 * config_.max_streams + 64;
  circuit_not_granted_ = config_.circuit_window_messages;  // the first poll grants the whole window
}

// --- application side ---

std::optional<StreamEvent> StreamMux::poll_event() {
  if (events_.empty()) return std::nullopt;
  StreamEvent e = std::move(events_.front());
  events_.pop_front();
  return e;
}

Result<StreamId> StreamMux::open_stream(TimeUs now, const StreamTarget& target) {
  if (failed()) return closed_error();
  if (role_ != StreamMuxRole::client) return make_error(Errc::invalid_argument, "open_stream: only a client opens streams");
  ZM_CHECK(target.check());
  if (!has_room_for_stream()) return make_error(Errc::limit_exceeded, "open_stream: " + std::to_string(streams_.size()) + " streams open on this circuit");
  // Ids go round 1..65535 so that a recently forgotten id is reused as late as possible.
  while (next_id_ == kCircuitStreamId || streams_.count(next_id_) != 0) ++next_id_;
  const StreamId id = next_id_++;
  StreamState& s = streams_[id];
  s.id = id;
  s.phase = StreamPhase::opening;
  s.target = target;
  s.open_message_pending = true;
  s.receive_window_left = config_.stream_window_bytes;
  s.deadline = now + config_.connect_timeout;
  queue_control(s);
  ++counters_.streams_opened;
  return id;
}

Status StreamMux::accept_stream(StreamId id) {
  ZM_TRY(StreamState * s, attached(id, "accept_stream"));
  if (s->phase != StreamPhase::accepting) return make_error(Errc::invalid_argument, "accept_stream: stream is not waiting to be accepted");
  s->phase = StreamPhase::open;
  s->open_message_pending = true;
  s->deadline = kNever;
  queue_control(*s);
  ++counters_.streams_opened;
  return {};
}

Status StreamMux::refuse_stream(StreamId id, StreamError reason) {
  ZM_TRY(StreamState * s, attached(id, "refuse_stream"));
  if (s->phase != StreamPhase::accepting) return make_error(Errc::invalid_argument, "refuse_stream: stream is not waiting to be accepted");
  const auto value = static_cast<std::uint8_t>(reason);
  if (reason == StreamError::none || !is_wire_stream_error(value)) return make_error(Errc::invalid_argument, "refuse_stream: reason cannot be sent");
  s->refusal_pending = true;
  s->local_reason = reason;
  s->phase = StreamPhase::draining;
  s->app_detached = true;
  s->deadline = kNever;
  queue_control(*s);
  return {};
}

Result<std::size_t> StreamMux::write(StreamId id, ByteView data) {
  ZM_TRY(StreamState * s, attached(id, "write"));
  if (s->phase == StreamPhase::accepting) return make_error(Errc::invalid_argument, "write: stream not accepted yet");
  if (s->finish_requested) return make_error(Errc::closed, "write: stream already finished");
  const std::size_t n = std::min(data.size(), writable_bytes(id));
  s->to_send.append(data.first(n));
  if (n < data.size()) s->want_writable = true;
  queue_send(*s);
  return n;
}

std::size_t StreamMux::writable_bytes(StreamId id) const {
  const StreamState* s = find(id);
  if (s == nullptr || s->app_detached || s->finish_requested || s->phase == StreamPhase::accepting) return 0;
  return config_.stream_send_buffer_bytes - std::min(config_.stream_send_buffer_bytes, s->to_send.size());
}

Status StreamMux::finish(StreamId id) {
  ZM_TRY(StreamState * s, attached(id, "finish"));
  if (s->phase == StreamPhase::accepting) return make_error(Errc::invalid_argument, "finish: stream not accepted yet");
  s->finish_requested = true;
  if (end_due(*s)) queue_control(*s);
  return {};
}

Status StreamMux::reset(TimeUs now, StreamId id, StreamError reason) {
  ZM_TRY(StreamState * s, attached(id, "reset"));
  if (reason == StreamError::none || !is_wire_stream_error(static_cast<std::uint8_t>(reason)))
    return make_error(Errc::invalid_argument, "reset: reason cannot be sent");
  if (s->phase == StreamPhase::accepting) return refuse_stream(id, reason);
  abort_stream(now, *s, reason);
  return {};
}

Result<std::size_t> StreamMux::read(StreamId id, MutableByteView out) {
  ZM_TRY(StreamState * s, attached(id, "read"));
  const std::size_t n = s->received.read_into(out);
  s->readable_notified = false;
  s->read_not_granted += n;
  if (sendme_due(*s)) queue_control(*s);
  check_closed(*s);  // may forget the stream: s is not used below
  return n;
}

std::size_t StreamMux::readable_bytes(StreamId id) const {
  const StreamState* s = find(id);
  return s == nullptr || s->app_detached ? 0 : s->received.size();
}

bool StreamMux::at_eof(StreamId id) const {
  const StreamState* s = find(id);
  return s != nullptr && !s->app_detached && s->peer_done && s->received.empty();
}

// --- timers ---

TimeUs StreamMux::next_deadline() const {
  TimeUs next = kNever;
  for (const auto& [id, s] : streams_) next = std::min(next, s.deadline);
  return next;
}

void StreamMux::on_timeout(TimeUs now) {
  if (failed()) return;
  std::vector<StreamId> due;
  for (const auto& [id, s] : streams_) {
    if (s.deadline <= now) due.push_back(id);
  }
  for (StreamId id : due) {
    StreamState* s = find(id);
    if (s == nullptr) continue;
    s->deadline = kNever;
    switch (s->phase) {
      case StreamPhase::opening:  // the exit never answered our BEGIN
        detach_with(*s, StreamEventKind::open_failed, StreamError::timeout);
        abort_stream(now, *s, StreamError::timeout);
        break;
      case StreamPhase::accepting:  // our application never decided
        emit(StreamEventKind::reset, id, StreamError::timeout);
        (void)refuse_stream(id, StreamError::timeout);
        break;
      case StreamPhase::draining:  // the peer never answered our RESET: forget the id anyway
        ++counters_.linger_expired;
        streams_.erase(id);
        break;
      case StreamPhase::open:
        break;
    }
  }
  (void)check_event_overflow();
}

// --- shared helpers ---

StreamState* StreamMux::find(StreamId id) {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

const StreamState* StreamMux::find(StreamId id) const {
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : &it->second;
}

Result<StreamState*> StreamMux::attached(StreamId id, const char* operation) {
  if (failed()) return closed_error();
  StreamState* s = find(id);
  if (s == nullptr || s->app_detached) return make_error(Errc::not_found, std::string(operation) + ": no open stream " + std::to_string(id));
  return s;
}

bool StreamMux::has_room_for_stream() const {
  return streams_.size() < config_.max_streams && (streams_.size() + 1) * per_stream_bytes(config_) <= config_.max_buffered_bytes;
}

std::size_t StreamMux::buffered_bytes() const {
  std::size_t total = 0;
  for (const auto& [id, s] : streams_) total += s.received.size() + s.to_send.size();
  return total;
}

std::size_t StreamMux::buffered_bytes_bound() const {
  const std::size_t streams = std::min(config_.max_streams, config_.max_buffered_bytes / per_stream_bytes(config_));
  return streams * per_stream_bytes(config_);
}

StreamEvent& StreamMux::emit(StreamEventKind kind, StreamId id, StreamError error) {
  StreamEvent e;
  e.kind = kind;
  e.stream = id;
  e.error = error;
  // Always queued (losing an event would lose news of data); an application that does not
  // drain events fails the circuit at the end of the call instead.
  if (events_.size() >= config_.max_pending_events) events_overflowed_ = true;
  events_.push_back(std::move(e));
  return events_.back();
}

void StreamMux::detach_with(StreamState& s, StreamEventKind kind, StreamError error) {
  if (s.app_detached) return;
  emit(kind, s.id, error);
  s.app_detached = true;
}

// Ends the stream abortively for our side: buffers go, the peer gets RESET(reason), and the
// id lingers until the peer's terminal message arrives.
void StreamMux::abort_stream(TimeUs now, StreamState& s, StreamError reason) {
  s.app_detached = true;
  s.received.release();
  s.to_send.release();
  s.finish_requested = false;
  if ((s.phase == StreamPhase::opening && s.open_message_pending) || (s.end_sent && s.peer_done)) {
    // The peer never heard of the stream, or both sides had finished: nothing to tell it.
    streams_.erase(s.id);
    return;
  }
  s.phase = StreamPhase::draining;
  s.open_message_pending = false;
  s.reset_pending = true;
  s.local_reason = reason;
  s.deadline = s.peer_done ? kNever : now + config_.linger_timeout;
  queue_control(s);
}

void StreamMux::queue_control(StreamState& s) {
  if (s.in_control_queue) return;
  s.in_control_queue = true;
  control_queue_.push_back(s.id);
}

void StreamMux::queue_send(StreamState& s) {
  if (s.in_send_queue || s.to_send.empty() || s.send_credit == 0 || s.phase != StreamPhase::open || s.local_done) return;
  s.in_send_queue = true;
  send_queue_.push_back(s.id);
}

bool StreamMux::end_due(const StreamState& s) const {
  return s.finish_requested && !s.local_done && s.to_send.empty() && s.phase == StreamPhase::open;
}

bool StreamMux::sendme_due(const StreamState& s) const {
  const std::uint64_t threshold = std::max<std::uint64_t>(1, config_.stream_window_bytes / 4);
  return s.read_not_granted >= threshold && !s.peer_done && s.phase == StreamPhase::open;
}

void StreamMux::check_closed(StreamState& s) {
  if (!s.app_detached && s.end_sent && s.peer_done && s.received.empty() && s.phase == StreamPhase::open) {
    emit(StreamEventKind::closed, s.id);
    s.app_detached = true;
  }
  retire_if_done(s);
}

void StreamMux::retire_if_done(StreamState& s) {
  if (s.local_done && s.peer_done && s.app_detached) streams_.erase(s.id);
}

Status StreamMux::fail(Error error) {
  if (failure_) return error;
  failure_ = error;
  for (auto& [id, s] : streams_) {
    if (s.app_detached) continue;
    emit(s.phase == StreamPhase::opening ? StreamEventKind::open_failed : StreamEventKind::reset, id, StreamError::circuit_closed);
  }
  streams_.clear();
  control_queue_.clear();
  send_queue_.clear();
  limit_refusals_.clear();
  return error;
}

Status StreamMux::check_event_overflow() {
  if (!events_overflowed_) return {};
  return fail(make_error(Errc::limit_exceeded, "stream mux: the application does not drain stream events"));
}

void StreamMux::on_circuit_closed() { (void)fail(make_error(Errc::closed, "circuit closed")); }

}  // namespace zmesh::onion
