#include "node/stream_router.hpp"

#include <algorithm>

namespace zmesh::node {

using onion::CircuitHandle;
using onion::StreamError;
using onion::StreamEventKind;
using onion::StreamMuxRole;

namespace {

bool ends_stream(StreamEventKind kind) {
  return kind == StreamEventKind::closed || kind == StreamEventKind::reset || kind == StreamEventKind::open_failed;
}

}  // namespace

StreamRouter::CircuitStreams::CircuitStreams(StreamMuxRole role, const onion::StreamMuxConfig& config)
    : mux(role, onion::kMaxRelayPayloadBytes, config) {}

StreamRouter::StreamRouter(onion::OnionRelay& relay, StreamRouterConfig config) : relay_(relay), config_(config) {}

// --- the map ---

void StreamRouter::bind(StreamKey key, CircuitHandle circuit, onion::StreamId id) {
  Route& route = streams_[key];
  route.circuit = circuit;
  route.id = id;
  route.wait_deadline = kNever;
  by_circuit_[{circuit, id}] = key;
}

void StreamRouter::unbind(StreamKey key) {
  auto it = streams_.find(key);
  if (it == streams_.end()) return;
  if (onion::handle_value(it->second.circuit) != 0) by_circuit_.erase({it->second.circuit, it->second.id});
  streams_.erase(it);
}

std::pair<StreamRouter::CircuitStreams*, const StreamRouter::Route*> StreamRouter::attached(StreamKey key) {
  auto route = streams_.find(key);
  if (route == streams_.end() || onion::handle_value(route->second.circuit) == 0) return {nullptr, nullptr};
  auto circuit = circuits_.find(route->second.circuit);
  if (circuit == circuits_.end()) return {nullptr, nullptr};
  mark_dirty(circuit->first, circuit->second);
  return {&circuit->second, &route->second};
}

std::pair<const StreamRouter::CircuitStreams*, onion::StreamId> StreamRouter::attached(StreamKey key) const {
  auto route = streams_.find(key);
  if (route == streams_.end() || onion::handle_value(route->second.circuit) == 0) return {nullptr, 0};
  auto circuit = circuits_.find(route->second.circuit);
  if (circuit == circuits_.end()) return {nullptr, 0};
  return {&circuit->second, route->second.id};
}

// --- circuits ---

void StreamRouter::add_circuit(CircuitHandle circuit, StreamMuxRole role) {
  circuits_.emplace(circuit, CircuitStreams(role, config_.streams));
}

Status StreamRouter::on_circuit_message(Now now, CircuitHandle circuit, ByteView payload) {
  auto it = circuits_.find(circuit);
  if (it == circuits_.end()) return {};
  mark_dirty(circuit, it->second);
  return it->second.mux.on_circuit_message(now.mono, payload);
}

void StreamRouter::remove_circuit(Now now, CircuitHandle circuit) {
  auto it = circuits_.find(circuit);
  if (it == circuits_.end()) return;
  CircuitStreams& streams = it->second;
  streams.mux.on_circuit_closed();
  streams.held.reset();
  held_.erase(circuit);
  drain_mux(now, circuit, streams);  // the resets reach the application
  disarm(circuit, streams);
  // Streams the application had already let go (no event left to carry them away).
  for (auto key = by_circuit_.lower_bound({circuit, 0}); key != by_circuit_.end() && key->first.first == circuit;) {
    streams_.erase(key->second);
    key = by_circuit_.erase(key);
  }
  circuits_.erase(it);
}

std::size_t StreamRouter::load(CircuitHandle circuit) const {
  auto it = circuits_.find(circuit);
  if (it == circuits_.end() || it->second.mux.failed() || it->second.mux.role() != StreamMuxRole::client)
    return config_.streams.max_streams;
  return it->second.mux.stream_count();
}

bool StreamRouter::busy(CircuitHandle circuit) const {
  auto it = circuits_.find(circuit);
  return it != circuits_.end() && it->second.mux.stream_count() != 0;
}

// --- waiting streams ---

Result<StreamKey> StreamRouter::open(Now now, const onion::StreamTarget& target, const PickCircuit& pick) {
  ZM_CHECK(target.check());
  if (waiting_.size() >= config_.max_waiting_streams)
    return make_error(Errc::limit_exceeded, "too many streams waiting for a circuit");
  const StreamKey key = next_key_++;
  ++counters_.streams_opened;
  streams_[key] = Route{CircuitHandle{}, 0, target, now.mono + config_.streams.connect_timeout};
  waiting_.push_back(key);
  attach_waiting(now, pick);
  return key;
}

void StreamRouter::attach_waiting(Now now, const PickCircuit& pick) {
  while (!waiting_.empty()) {
    const CircuitHandle circuit = pick();
    if (onion::handle_value(circuit) == 0) return;
    const StreamKey key = waiting_.front();
    waiting_.pop_front();
    auto route = streams_.find(key);
    if (route == streams_.end()) continue;
    CircuitStreams& streams = circuits_.at(circuit);
    mark_dirty(circuit, streams);
    auto id = streams.mux.open_stream(now.mono, route->second.target);
    if (!id.ok()) {
      streams_.erase(route);
      emit({StreamEventKind::open_failed, key, {}, StreamError::resource_limit});
      continue;
    }
    bind(key, circuit, *id);
  }
}

bool StreamRouter::is_waiting(StreamKey stream) const {
  auto route = streams_.find(stream);
  return route != streams_.end() && onion::handle_value(route->second.circuit) == 0;
}

const onion::StreamMux* StreamRouter::mux(CircuitHandle circuit) const {
  auto it = circuits_.find(circuit);
  return it == circuits_.end() ? nullptr : &it->second.mux;
}

void StreamRouter::expire_waiting(Now now) {
  while (!waiting_.empty()) {
    auto route = streams_.find(waiting_.front());
    if (route != streams_.end() && route->second.wait_deadline > now.mono) return;
    const StreamKey key = waiting_.front();
    waiting_.pop_front();
    if (route == streams_.end()) continue;  // reset meanwhile
    streams_.erase(route);
    emit({StreamEventKind::open_failed, key, {}, StreamError::timeout});
  }
}

// --- the application's calls ---

#define ZM_ATTACHED_OR_RETURN(streams, route, key, what)                                    \
  const auto [streams, route] = attached(key);                                              \
  if (streams == nullptr) return make_error(Errc::not_found, std::string(what) + ": no such open stream")

Status StreamRouter::accept(StreamKey stream) {
  ZM_ATTACHED_OR_RETURN(streams, route, stream, "accept_stream");
  return streams->mux.accept_stream(route->id);
}

Status StreamRouter::refuse(StreamKey stream, StreamError reason) {
  ZM_ATTACHED_OR_RETURN(streams, route, stream, "refuse_stream");
  ZM_CHECK(streams->mux.refuse_stream(route->id, reason));
  unbind(stream);
  return {};
}

Result<std::size_t> StreamRouter::write(StreamKey stream, ByteView data) {
  ZM_ATTACHED_OR_RETURN(streams, route, stream, "write");
  return streams->mux.write(route->id, data);
}

Result<std::size_t> StreamRouter::read(StreamKey stream, MutableByteView out) {
  ZM_ATTACHED_OR_RETURN(streams, route, stream, "read");
  return streams->mux.read(route->id, out);
}

Status StreamRouter::finish(StreamKey stream) {
  ZM_ATTACHED_OR_RETURN(streams, route, stream, "finish");
  return streams->mux.finish(route->id);
}

#undef ZM_ATTACHED_OR_RETURN

Status StreamRouter::reset(Now now, StreamKey stream, StreamError reason) {
  auto route = streams_.find(stream);
  if (route == streams_.end()) return make_error(Errc::not_found, "reset: no such stream");
  if (onion::handle_value(route->second.circuit) == 0) {  // still waiting: expire_waiting skips it
    waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), stream), waiting_.end());
    streams_.erase(route);
    return {};
  }
  const auto [streams, attached_route] = attached(stream);
  if (streams != nullptr) ZM_CHECK(streams->mux.reset(now.mono, attached_route->id, reason));
  unbind(stream);
  return {};
}

std::size_t StreamRouter::writable_bytes(StreamKey stream) const {
  const auto [streams, id] = attached(stream);
  return streams == nullptr ? 0 : streams->mux.writable_bytes(id);
}

std::size_t StreamRouter::readable_bytes(StreamKey stream) const {
  const auto [streams, id] = attached(stream);
  return streams == nullptr ? 0 : streams->mux.readable_bytes(id);
}

bool StreamRouter::at_eof(StreamKey stream) const {
  const auto [streams, id] = attached(stream);
  return streams != nullptr && streams->mux.at_eof(id);
}

std::optional<OnionStreamEvent> StreamRouter::poll_event() {
  if (events_.empty()) return std::nullopt;
  OnionStreamEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

// --- the pass and timers ---

void StreamRouter::mark_dirty(CircuitHandle handle, CircuitStreams& streams) {
  if (streams.dirty) return;
  streams.dirty = true;
  dirty_.push_back(handle);
}

bool StreamRouter::drain(Now now) {
  if (dirty_.empty()) return false;
  std::vector<CircuitHandle> handles;
  handles.swap(dirty_);
  for (CircuitHandle handle : handles) {
    auto it = circuits_.find(handle);
    if (it == circuits_.end()) continue;  // gone since it was marked
    it->second.dirty = false;
    drain_mux(now, handle, it->second);
  }
  return true;
}

void StreamRouter::drain_mux(Now now, CircuitHandle circuit, CircuitStreams& streams) {
  while (auto event = streams.mux.poll_event()) {
    if (event->kind == StreamEventKind::incoming) {
      if (!config_.accept_streams) {
        (void)streams.mux.refuse_stream(event->stream, StreamError::exit_policy);
        continue;
      }
      const StreamKey key = next_key_++;
      bind(key, circuit, event->stream);
      ++counters_.streams_incoming;
      emit({StreamEventKind::incoming, key, event->target, StreamError::none});
      continue;
    }
    auto key = by_circuit_.find({circuit, event->stream});
    if (key == by_circuit_.end()) continue;  // a stream the application already let go
    const StreamKey stream = key->second;
    emit({event->kind, stream, {}, event->error});
    if (ends_stream(event->kind)) unbind(stream);
  }
  rearm(circuit, streams);
  if (streams.mux.failed()) return;
  held_.erase(circuit);
  bool sent_any = false;
  while (true) {
    std::optional<Bytes> message = streams.held ? std::move(streams.held) : streams.mux.poll_circuit_message();
    streams.held.reset();
    if (!message) break;
    sent_any = true;
    const Status sent = relay_.send_relay_message(now, circuit, *message);
    if (!sent.ok()) {
      // A full cell queue keeps the message for a retry (the timer at send_retry_interval, or
      // any call that touches this mux); anything else means the circuit is going away and
      // its CircuitClosed event resets the streams.
      if (sent.error().code == Errc::limit_exceeded) {
        streams.held = std::move(message);
        held_.insert(circuit);
        next_retry_ = std::min(next_retry_, now.mono + config_.send_retry_interval);
      }
      break;
    }
  }
  rearm(circuit, streams);
  // Taking a message out can end a stream (its last END sent: `closed`), an event that came
  // after the poll above: the next round of the pass drains this mux once more.
  if (sent_any) mark_dirty(circuit, streams);
}

void StreamRouter::rearm(CircuitHandle handle, CircuitStreams& streams) {
  const TimeUs deadline = streams.mux.next_deadline();
  if (deadline == streams.armed_at) return;
  disarm(handle, streams);
  streams.armed_at = deadline;
  if (deadline != kNever) deadlines_.emplace(deadline, handle);
}

void StreamRouter::disarm(CircuitHandle handle, CircuitStreams& streams) {
  if (streams.armed_at != kNever) deadlines_.erase({streams.armed_at, handle});
  streams.armed_at = kNever;
}

TimeUs StreamRouter::next_deadline() const {
  TimeUs deadline = next_retry_;
  if (!deadlines_.empty()) deadline = std::min(deadline, deadlines_.begin()->first);
  if (!waiting_.empty()) {  // the front may be a stream reset meanwhile: then early, never late
    auto route = streams_.find(waiting_.front());
    deadline = std::min(deadline, route == streams_.end() ? TimeUs{0} : route->second.wait_deadline);
  }
  return deadline;
}

void StreamRouter::on_timeout(Now now) {
  if (now.mono >= next_retry_) {
    next_retry_ = kNever;
    for (CircuitHandle handle : held_)
      if (auto it = circuits_.find(handle); it != circuits_.end()) mark_dirty(handle, it->second);
  }
  expire_waiting(now);
  std::vector<CircuitHandle> due;  // only the muxes due; each rearms when drained
  for (auto it = deadlines_.begin(); it != deadlines_.end() && it->first <= now.mono; ++it) due.push_back(it->second);
  for (CircuitHandle handle : due) {
    auto it = circuits_.find(handle);
    if (it == circuits_.end()) continue;
    it->second.mux.on_timeout(now.mono);
    mark_dirty(handle, it->second);
  }
}

}  // namespace zmesh::node
