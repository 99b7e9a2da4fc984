// OnionService: one StreamMux per circuit this node built (client) or ends (exit), streams
// named by node-local StreamKeys, and client streams waiting for a circuit.
#include <algorithm>

#include "node/onion_service.hpp"

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

void OnionService::on_circuit_ready(Now now, CircuitHandle circuit) {
  record_build_time(circuit, now);
  if (auto probe = probes_.find(circuit); probe != probes_.end()) {
    ProbeDone done = std::move(probe->second);
    probes_.erase(probe);
    const DurationUs took = build_times_.empty() ? 0 : build_times_.back();
    relay_.close_circuit(now, circuit);
    done(took);
    return;
  }
  if (building_ > 0) --building_;
  build_backoff_ = 0;
  ++counters_.circuits_built;
  auto [it, inserted] = circuits_.emplace(circuit, CircuitStreams(StreamMuxRole::client, config_.streams));
  it->second.ready_at = now.mono;
  it->second.fresh = true;
  fresh_until_.emplace(now.mono + config_.circuit_fresh_for, circuit);
  attach_waiting(now);
}

void OnionService::on_incoming_circuit(CircuitHandle circuit) {
  circuits_.emplace(circuit, CircuitStreams(StreamMuxRole::exit, config_.streams));
}

void OnionService::on_circuit_message(Now now, CircuitHandle circuit, ByteView payload) {
  auto it = circuits_.find(circuit);
  if (it == circuits_.end()) return;
  mark_dirty(circuit, it->second);
  if (!it->second.mux.on_circuit_message(now.mono, payload).ok()) {
    // The other end broke the stream protocol: its streams are reset; the circuit goes too.
    relay_.close_circuit(now, circuit);
    on_circuit_gone(now, circuit);
  }
}

void OnionService::on_circuit_gone(Now now, CircuitHandle circuit) {
  auto it = circuits_.find(circuit);
  if (it == circuits_.end()) return;
  CircuitStreams& streams = it->second;
  streams.mux.on_circuit_closed();
  streams.held.reset();
  held_.erase(circuit);
  drain_mux(now, circuit, streams);
  disarm_mux(circuit, streams);
  for (const auto& [id, key] : streams.keys) {  // streams the application had already let go
    streams_.erase(key);
  }
  if (streams.fresh) fresh_until_.erase({streams.ready_at + config_.circuit_fresh_for, circuit});
  stale_.erase(circuit);
  circuits_.erase(it);
}

bool OnionService::is_fresh_client(const CircuitStreams& streams) const {
  return streams.mux.role() == StreamMuxRole::client && streams.fresh && !streams.mux.failed();
}

void OnionService::age_circuits(Now now) {
  while (!fresh_until_.empty() && fresh_until_.begin()->first <= now.mono) {
    const CircuitHandle circuit = fresh_until_.begin()->second;
    fresh_until_.erase(fresh_until_.begin());
    auto it = circuits_.find(circuit);
    if (it == circuits_.end()) continue;
    it->second.fresh = false;
    stale_.insert(circuit);
  }
}

void OnionService::retire_stale_circuits(Now now) {
  std::vector<CircuitHandle> stale;
  for (CircuitHandle handle : stale_) {
    auto it = circuits_.find(handle);
    if (it == circuits_.end() || it->second.mux.stream_count() == 0) stale.push_back(handle);
  }
  for (CircuitHandle circuit : stale) {
    stale_.erase(circuit);
    if (circuits_.count(circuit) == 0) continue;
    relay_.close_circuit(now, circuit);
    on_circuit_gone(now, circuit);
  }
}

CircuitHandle OnionService::pick_client_circuit() const {
  CircuitHandle best{};
  std::size_t fewest = config_.streams.max_streams;
  for (const auto& [until, handle] : fresh_until_) {  // the pool's few circuits, not all
    auto it = circuits_.find(handle);
    if (it == circuits_.end() || !is_fresh_client(it->second)) continue;
    const CircuitStreams& streams = it->second;
    if (streams.mux.stream_count() < fewest) {
      fewest = streams.mux.stream_count();
      best = handle;
    }
  }
  return best;
}

void OnionService::attach_waiting(Now now) {
  while (!waiting_.empty()) {
    const CircuitHandle circuit = pick_client_circuit();
    if (onion::handle_value(circuit) == 0) return;
    WaitingStream w = std::move(waiting_.front());
    waiting_.pop_front();
    CircuitStreams& streams = circuits_.at(circuit);
    mark_dirty(circuit, streams);
    auto id = streams.mux.open_stream(now.mono, w.target);
    if (!id.ok()) {
      streams_.erase(w.key);
      emit({StreamEventKind::open_failed, w.key, {}, StreamError::resource_limit});
      continue;
    }
    streams.keys[*id] = w.key;
    streams_[w.key] = StreamRef{circuit, *id};
  }
}

void OnionService::expire_waiting(Now now) {
  while (!waiting_.empty() && waiting_.front().deadline <= now.mono) {
    const StreamKey key = waiting_.front().key;
    waiting_.pop_front();
    streams_.erase(key);
    emit({StreamEventKind::open_failed, key, {}, StreamError::timeout});
  }
}

bool OnionService::drain_dirty(Now now) {
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

void OnionService::mark_dirty(CircuitHandle handle, CircuitStreams& streams) {
  if (streams.dirty) return;
  streams.dirty = true;
  dirty_.push_back(handle);
}

void OnionService::rearm_mux(CircuitHandle handle, CircuitStreams& streams) {
  const TimeUs deadline = streams.mux.next_deadline();
  if (deadline == streams.armed_at) return;
  disarm_mux(handle, streams);
  streams.armed_at = deadline;
  if (deadline != kNever) mux_deadlines_.emplace(deadline, handle);
}

void OnionService::disarm_mux(CircuitHandle handle, CircuitStreams& streams) {
  if (streams.armed_at != kNever) mux_deadlines_.erase({streams.armed_at, handle});
  streams.armed_at = kNever;
}

void OnionService::drain_mux(Now now, CircuitHandle circuit, CircuitStreams& streams) {
  while (auto event = streams.mux.poll_event()) {
    if (event->kind == StreamEventKind::incoming) {
      if (!config_.accept_streams) {
        (void)streams.mux.refuse_stream(event->stream, StreamError::exit_policy);
        continue;
      }
      const StreamKey key = next_stream_++;
      streams.keys[event->stream] = key;
      streams_[key] = StreamRef{circuit, event->stream};
      ++counters_.streams_incoming;
      emit({StreamEventKind::incoming, key, event->target, StreamError::none});
      continue;
    }
    auto key = streams.keys.find(event->stream);
    if (key == streams.keys.end()) continue;  // a stream the application already let go
    emit({event->kind, key->second, {}, event->error});
    if (ends_stream(event->kind)) {
      streams_.erase(key->second);
      streams.keys.erase(key);
    }
  }
  rearm_mux(circuit, streams);
  if (streams.mux.failed()) return;
  held_.erase(circuit);
  while (true) {
    std::optional<Bytes> message = streams.held ? std::move(streams.held) : streams.mux.poll_circuit_message();
    streams.held.reset();
    if (!message) break;
    const Status sent = relay_.send_relay_message(now, circuit, *message);
    if (!sent.ok()) {
      // A full cell queue keeps the message for a retry (the next timer at send_retry_interval,
      // or any event that touches this mux); anything else means the circuit is going away and
      // its CircuitClosed event resets the streams.
      if (sent.error().code == Errc::limit_exceeded) {
        streams.held = std::move(message);
        held_.insert(circuit);
        next_retry_ = std::min(next_retry_, now.mono + config_.send_retry_interval);
      }
      break;
    }
  }
  rearm_mux(circuit, streams);
}

void OnionService::emit(OnionStreamEvent event) { events_.push_back(std::move(event)); }

std::optional<OnionStreamEvent> OnionService::poll_stream_event() {
  if (events_.empty()) return std::nullopt;
  OnionStreamEvent event = std::move(events_.front());
  events_.pop_front();
  return event;
}

// --- the stream API ---

const OnionService::StreamRef* OnionService::find_ref(StreamKey key) const {
  auto it = streams_.find(key);
  return it == streams_.end() ? nullptr : &it->second;
}

OnionService::CircuitStreams* OnionService::circuit_of(const StreamRef& ref) {
  auto it = circuits_.find(ref.circuit);
  return it == circuits_.end() ? nullptr : &it->second;
}

const OnionService::CircuitStreams* OnionService::circuit_of(const StreamRef& ref) const {
  auto it = circuits_.find(ref.circuit);
  return it == circuits_.end() ? nullptr : &it->second;
}

Result<StreamKey> OnionService::open_stream(Now now, const onion::StreamTarget& target) {
  ZM_CHECK(target.check());
  if (waiting_.size() >= config_.max_waiting_streams)
    return make_error(Errc::limit_exceeded, "too many streams waiting for a circuit");
  const StreamKey key = next_stream_++;
  ++counters_.streams_opened;
  streams_[key] = StreamRef{};
  waiting_.push_back({key, target, now.mono + config_.streams.connect_timeout});
  attach_waiting(now);
  run(now);
  return key;
}

// Every call below may give the mux work (a message to send, an event): it is marked dirty.
#define ZM_STREAM_OR_RETURN(ref, streams, key, what)                                                    \
  const StreamRef* ref = find_ref(key);                                                                 \
  CircuitStreams* streams = ref != nullptr ? circuit_of(*ref) : nullptr;                                \
  if (streams == nullptr) return make_error(Errc::not_found, std::string(what) + ": no such open stream"); \
  mark_dirty(ref->circuit, *streams)

Status OnionService::accept_stream(Now now, StreamKey stream) {
  ZM_STREAM_OR_RETURN(ref, streams, stream, "accept_stream");
  ZM_CHECK(streams->mux.accept_stream(ref->id));
  run(now);
  return {};
}

Status OnionService::refuse_stream(Now now, StreamKey stream, StreamError reason) {
  ZM_STREAM_OR_RETURN(ref, streams, stream, "refuse_stream");
  ZM_CHECK(streams->mux.refuse_stream(ref->id, reason));
  streams->keys.erase(ref->id);
  streams_.erase(stream);
  run(now);
  return {};
}

Result<std::size_t> OnionService::write(Now now, StreamKey stream, ByteView data) {
  ZM_STREAM_OR_RETURN(ref, streams, stream, "write");
  ZM_TRY(const std::size_t taken, streams->mux.write(ref->id, data));
  run(now);
  return taken;
}

std::size_t OnionService::writable_bytes(StreamKey stream) const {
  const auto [mux, id] = mux_of(stream);
  return mux == nullptr ? 0 : mux->writable_bytes(id);
}

Result<std::size_t> OnionService::read(Now now, StreamKey stream, MutableByteView out) {
  ZM_STREAM_OR_RETURN(ref, streams, stream, "read");
  ZM_TRY(const std::size_t n, streams->mux.read(ref->id, out));
  run(now);
  return n;
}

std::size_t OnionService::readable_bytes(StreamKey stream) const {
  const auto [mux, id] = mux_of(stream);
  return mux == nullptr ? 0 : mux->readable_bytes(id);
}

bool OnionService::at_eof(StreamKey stream) const {
  const auto [mux, id] = mux_of(stream);
  return mux != nullptr && mux->at_eof(id);
}

std::pair<const onion::StreamMux*, onion::StreamId> OnionService::mux_of(StreamKey stream) const {
  const StreamRef* ref = find_ref(stream);
  const CircuitStreams* streams = ref != nullptr ? circuit_of(*ref) : nullptr;
  if (streams == nullptr) return {nullptr, 0};
  return {&streams->mux, ref->id};
}

Status OnionService::finish(Now now, StreamKey stream) {
  ZM_STREAM_OR_RETURN(ref, streams, stream, "finish");
  ZM_CHECK(streams->mux.finish(ref->id));
  run(now);
  return {};
}

Status OnionService::reset(Now now, StreamKey stream, StreamError reason) {
  const StreamRef* ref = find_ref(stream);
  if (ref == nullptr) return make_error(Errc::not_found, "reset: no such stream");
  if (onion::handle_value(ref->circuit) == 0) {  // still waiting for a circuit
    waiting_.erase(std::remove_if(waiting_.begin(), waiting_.end(), [&](const WaitingStream& w) { return w.key == stream; }),
                   waiting_.end());
    streams_.erase(stream);
    return {};
  }
  CircuitStreams* streams = circuit_of(*ref);
  if (streams != nullptr) {
    mark_dirty(ref->circuit, *streams);
    ZM_CHECK(streams->mux.reset(now.mono, ref->id, reason));
    streams->keys.erase(ref->id);
  }
  streams_.erase(stream);
  run(now);
  return {};
}

#undef ZM_STREAM_OR_RETURN

}  // namespace zmesh::node
