// StreamMux: many TCP-like streams over one circuit, at one end of it (client or exit).
// A sans-IO core in the style of runtime/core.hpp, but its "peer" is the circuit, which
// delivers relay messages in order and reliably between client and exit, each at most
// max_relay_message_bytes long. Spec with byte layouts: docs/protocol/streams.md.
//
// Driving it (after every call, drain poll_event() and poll_circuit_message()):
//   circuit side   on_circuit_message(now, bytes) for each relay message that arrives;
//                  poll_circuit_message() while the circuit can take more;
//                  on_circuit_closed(now) when the circuit dies;
//                  on_timeout(now) when next_deadline() is reached.
//   client app     open_stream(now, target) -> id; events connected / open_failed.
//   exit app       event incoming(id, target) -> accept_stream(id) or refuse_stream(id, why).
//   both           write / finish / reset, read; events readable, writable, peer_finished,
//                  closed, reset.
//
// Flow control (Tor-style SENDMEs, counted the way HTTP/2 and QUIC count): each stream has a
// receive window in bytes, credited back when the application reads, so a stream whose reader
// is slow stops its own sender and nobody else's; the circuit has a window in DATA messages,
// credited back as soon as a message is moved into its stream's buffer, which bounds the cells
// queued in relays. Memory at an end is bounded by
//   live streams x (stream_window_bytes + stream_send_buffer_bytes) <= max_buffered_bytes.
//
// No silent loss: a stream ends for the application either with `closed` (both directions
// finished in order and everything was read) or with `open_failed` / `reset` and a reason;
// a failed circuit resets every stream with StreamError::circuit_closed.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>

#include "onion/stream_message.hpp"
#include "onion/stream_state.hpp"
#include "runtime/time.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::onion {

enum class StreamMuxRole : std::uint8_t { client, exit };

struct StreamMuxConfig {
  std::size_t max_streams = 128;                    // live streams per circuit (< 65536)
  std::uint32_t stream_window_bytes = 128 * 1024;   // our receive window per stream
  std::size_t stream_send_buffer_bytes = 64 * 1024; // bytes write() accepts ahead of the circuit
  std::uint32_t circuit_window_messages = 512;      // DATA messages the peer may have in flight
  std::size_t max_buffered_bytes = 24 * 1024 * 1024;     // default: room for max_streams
  DurationUs connect_timeout = 30 * kSecond;        // client: BEGIN unanswered; exit: app undecided
  DurationUs linger_timeout = 60 * kSecond;         // after our RESET, wait this long for the peer's
  std::size_t max_pending_events = 0;               // 0: 8 x max_streams + 64

  Status check() const;
};

enum class StreamEventKind : std::uint8_t {
  incoming,       // exit: a client asks for `target`; answer with accept_stream / refuse_stream
  connected,      // client: the exit connected; data may flow
  open_failed,    // client: the stream did not open (`error`); the id is gone
  readable,       // bytes arrived; read() until it returns 0 (then you get another event)
  writable,       // write() refused bytes earlier and has room again
  peer_finished,  // the peer sent END: after the buffered bytes, no more data will come
  closed,         // both sides finished and everything was read: done, the id is gone
  reset,          // aborted (`error`): unread and unsent bytes are lost; the id is gone
};

const char* stream_event_kind_name(StreamEventKind kind);

struct StreamEvent {
  StreamEventKind kind = StreamEventKind::readable;
  StreamId stream = 0;
  StreamTarget target;                      // incoming
  StreamError error = StreamError::none;    // open_failed, reset
};

struct StreamMuxCounters {
  std::uint64_t messages_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t data_bytes_received = 0;
  std::uint64_t data_bytes_sent = 0;
  std::uint64_t streams_opened = 0;       // BEGIN sent (client) or received and accepted (exit)
  std::uint64_t streams_refused_limit = 0;// BEGINs refused for max_streams / max_buffered_bytes
  std::uint64_t stale_messages = 0;       // END / RESET / BEGIN_FAILED / SENDME for a forgotten id
  std::uint64_t discarded_data_bytes = 0; // DATA for a stream the application had reset
  std::uint64_t linger_expired = 0;       // peer never answered our RESET
};

class StreamMux {
 public:
  // Aborts on a config that fails check() or a max_relay_message_bytes below
  // kMinRelayMessageBytes (programming errors).
  StreamMux(StreamMuxRole role, std::size_t max_relay_message_bytes, StreamMuxConfig config = {});

  // --- circuit side ---
  // A relay message from the other end. An error means the peer broke the protocol: every
  // stream has been reset with circuit_closed and the driver should tear the circuit down.
  Status on_circuit_message(TimeUs now, ByteView message);
  // The next relay message to send, or nullopt when flow control or an empty queue says wait.
  std::optional<Bytes> poll_circuit_message();
  void on_circuit_closed();
  void on_timeout(TimeUs now);
  TimeUs next_deadline() const;

  // --- application side ---
  std::optional<StreamEvent> poll_event();
  // Client only. Errc::limit_exceeded at max_streams / max_buffered_bytes.
  Result<StreamId> open_stream(TimeUs now, const StreamTarget& target);
  // Exit only, for a stream announced by `incoming`.
  Status accept_stream(StreamId id);
  Status refuse_stream(StreamId id, StreamError reason);
  // Queues up to writable_bytes(id) bytes; returns how many were taken (maybe 0, then a
  // `writable` event follows when there is room). A client may write before `connected`.
  Result<std::size_t> write(StreamId id, ByteView data);
  std::size_t writable_bytes(StreamId id) const;
  // Orderly close of our sending direction: END goes out after every queued byte.
  Status finish(StreamId id);
  // Abortive close of both directions; the peer learns `reason`. No event follows.
  Status reset(TimeUs now, StreamId id, StreamError reason = StreamError::aborted);
  // Copies received bytes out; 0 when none are buffered (see at_eof).
  Result<std::size_t> read(StreamId id, MutableByteView out);
  std::size_t readable_bytes(StreamId id) const;
  // The peer finished and every byte has been read.
  bool at_eof(StreamId id) const;

  // --- introspection ---
  StreamMuxRole role() const { return role_; }
  bool failed() const { return failure_.has_value(); }
  const std::optional<Error>& failure() const { return failure_; }
  std::size_t stream_count() const { return streams_.size(); }
  // Bytes held in stream buffers (received-unread plus written-unsent).
  std::size_t buffered_bytes() const;
  // The most that buffered_bytes() can ever reach with this config.
  std::size_t buffered_bytes_bound() const;
  std::size_t max_data_payload_bytes() const { return max_relay_message_bytes_ - kStreamHeaderBytes; }
  std::uint64_t circuit_send_credit() const { return circuit_send_credit_; }
  const StreamMuxCounters& counters() const { return counters_; }

 private:
  // stream_mux_receive.cpp
  Status handle_message(TimeUs now, const StreamMessage& m);
  Status handle_begin(TimeUs now, const StreamMessage& m);
  Status handle_connected(StreamState& s, const StreamMessage& m);
  Status handle_begin_failed(StreamState& s, const StreamMessage& m);
  Status handle_data(StreamState* s, const StreamMessage& m);
  Status handle_end(StreamState& s);
  void handle_reset(StreamState& s, const StreamMessage& m);
  Status handle_sendme(StreamState* s, const StreamMessage& m);

  // stream_mux_send.cpp
  std::optional<StreamMessage> next_control_message(StreamState& s);
  std::optional<Bytes> next_data_message();
  void after_sent(StreamState& s, const StreamMessage& m);

  // stream_mux.cpp: shared helpers
  StreamState* find(StreamId id);
  const StreamState* find(StreamId id) const;
  Result<StreamState*> attached(StreamId id, const char* operation);
  bool has_room_for_stream() const;
  StreamEvent& emit(StreamEventKind kind, StreamId id, StreamError error = StreamError::none);
  void detach_with(StreamState& s, StreamEventKind kind, StreamError error);
  void abort_stream(TimeUs now, StreamState& s, StreamError reason);
  void queue_control(StreamState& s);
  void queue_send(StreamState& s);
  bool end_due(const StreamState& s) const;
  bool sendme_due(const StreamState& s) const;
  void check_closed(StreamState& s);
  void retire_if_done(StreamState& s);
  Status fail(Error error);
  Status check_event_overflow();

  StreamMuxRole role_;
  std::size_t max_relay_message_bytes_;
  StreamMuxConfig config_;
  std::optional<Error> failure_;

  std::map<StreamId, StreamState> streams_;  // ordered: deterministic iteration
  StreamId next_id_ = 1;
  std::deque<StreamId> control_queue_;       // streams with a control message to send
  std::deque<StreamId> send_queue_;          // streams with data and credit (round-robin)
  std::deque<StreamId> limit_refusals_;      // BEGINs refused at a limit, BEGIN_FAILED to send
  std::deque<StreamEvent> events_;
  bool events_overflowed_ = false;

  std::uint64_t circuit_send_credit_ = 0;   // DATA messages we may still send
  std::uint64_t circuit_receive_left_ = 0;  // DATA messages the peer may still send
  std::uint64_t circuit_not_granted_ = 0;   // DATA messages processed, not yet credited back
  StreamMuxCounters counters_;
};

}  // namespace zmesh::onion
