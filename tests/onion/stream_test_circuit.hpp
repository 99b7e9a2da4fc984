// Test harness for StreamMux: a client and an exit mux joined by an in-memory circuit that is
// ordered and reliable (what the onion layer promises), with a one-way delay and a bandwidth
// in messages per tick, on a virtual clock; and a small application at each end that writes a
// payload per stream, finishes, and reads (optionally slowly). Invariants are checked at every
// tick: buffered bytes within the configured bound, DATA in flight within the circuit window.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <vector>

#include "onion/stream_mux.hpp"
#include "runtime/random.hpp"

namespace zmesh::onion::testing {

struct Transfer {
  Bytes to_send;
  std::size_t sent = 0;
  bool finish_after_send = true;
  bool finish_called = false;
  Bytes received;
  std::size_t read_per_tick = std::numeric_limits<std::size_t>::max();  // a slow reader reads less
  bool connected = false;
  bool peer_finished = false;
  bool closed = false;
  bool reset = false;      // reset or open_failed
  StreamError error = StreamError::none;
  TimeUs done_at = -1;     // closed / reset / open_failed time
  std::size_t max_unread_bytes = 0;
};

class StreamTestApp {
 public:
  explicit StreamTestApp(StreamMux& mux) : mux_(mux) {}

  // Exit side: what to do with a BEGIN. Default: accept and send `response` back.
  std::function<void(StreamId, const StreamTarget&)> on_incoming;
  std::map<StreamId, Transfer> streams;
  std::vector<StreamEvent> events;

  void handle_events(TimeUs now) {
    while (auto e = mux_.poll_event()) {
      events.push_back(*e);
      Transfer& t = streams[e->stream];
      switch (e->kind) {
        case StreamEventKind::incoming:
          if (on_incoming) on_incoming(e->stream, e->target);
          else ASSERT_TRUE(mux_.accept_stream(e->stream).ok());
          break;
        case StreamEventKind::connected: t.connected = true; break;
        case StreamEventKind::peer_finished: t.peer_finished = true; break;
        case StreamEventKind::closed: t.closed = true; t.done_at = now; break;
        case StreamEventKind::open_failed:
        case StreamEventKind::reset: t.reset = true; t.error = e->error; t.done_at = now; break;
        case StreamEventKind::readable:
        case StreamEventKind::writable: break;
      }
    }
  }

  void pump() {
    for (auto& [id, t] : streams) {
      if (t.closed || t.reset) continue;
      t.max_unread_bytes = std::max(t.max_unread_bytes, mux_.readable_bytes(id));
      if (t.sent < t.to_send.size()) {
        auto n = mux_.write(id, ByteView(t.to_send).subspan(t.sent));
        if (n.ok()) t.sent += *n;
      }
      if (t.sent == t.to_send.size() && t.finish_after_send && !t.finish_called && mux_.writable_bytes(id) > 0) {
        t.finish_called = mux_.finish(id).ok();
      }
      std::size_t budget = t.read_per_tick;
      std::uint8_t buffer[4096];
      while (budget > 0) {
        auto n = mux_.read(id, MutableByteView(buffer, std::min(budget, sizeof buffer)));
        if (!n.ok() || *n == 0) break;
        t.received.insert(t.received.end(), buffer, buffer + *n);
        budget -= *n;
      }
    }
  }

 private:
  StreamMux& mux_;
};

class StreamTestCircuit {
 public:
  explicit StreamTestCircuit(StreamMuxConfig client_config = {}, StreamMuxConfig exit_config = {},
                             std::size_t max_relay_message_bytes = 925)
      : client(StreamMuxRole::client, max_relay_message_bytes, client_config),
        exit(StreamMuxRole::exit, max_relay_message_bytes, exit_config),
        client_app(client),
        exit_app(exit),
        client_config_(client_config),
        exit_config_(exit_config),
        max_relay_message_bytes_(max_relay_message_bytes) {}

  StreamMux client;
  StreamMux exit;
  StreamTestApp client_app;
  StreamTestApp exit_app;
  TimeUs now = 0;
  DurationUs tick = kMillisecond;
  DurationUs one_way_delay = 5 * kMillisecond;
  std::size_t messages_per_tick = 16;  // per direction
  bool circuit_up = true;

  std::size_t max_client_buffered = 0, max_exit_buffered = 0;
  std::size_t max_data_in_flight_to_exit = 0, max_data_in_flight_to_client = 0;

  void step() {
    now += tick;
    deliver(to_exit_, exit);
    deliver(to_client_, client);
    for (StreamMux* m : {&client, &exit}) {
      if (m->next_deadline() <= now) m->on_timeout(now);
    }
    client_app.handle_events(now);
    exit_app.handle_events(now);
    client_app.pump();
    exit_app.pump();
    if (circuit_up) {
      send(client, to_exit_);
      send(exit, to_client_);
    }
    client_app.handle_events(now);
    exit_app.handle_events(now);
    check_invariants();
  }

  // Steps until `done` or `limit` of virtual time has passed; true when done.
  bool run_until(const std::function<bool()>& done, DurationUs limit = 60 * kSecond) {
    const TimeUs end = now + limit;
    while (now < end) {
      if (done()) return true;
      step();
    }
    return done();
  }

  void close_circuit() {
    circuit_up = false;
    to_exit_.clear();
    to_client_.clear();
    client.on_circuit_closed();
    exit.on_circuit_closed();
  }

  // Injects a raw relay message as if the client had sent it.
  void inject_to_exit(Bytes message) { to_exit_.push_back({now, std::move(message)}); }

 private:
  struct InFlight {
    TimeUs deliver_at;
    Bytes bytes;
  };

  void deliver(std::deque<InFlight>& channel, StreamMux& to) {
    while (!channel.empty() && channel.front().deliver_at <= now) {
      const Status s = to.on_circuit_message(now, channel.front().bytes);
      ASSERT_TRUE(s.ok()) << s.error().describe();
      channel.pop_front();
    }
  }

  void send(StreamMux& from, std::deque<InFlight>& channel) {
    for (std::size_t i = 0; i < messages_per_tick; ++i) {
      auto m = from.poll_circuit_message();
      if (!m) break;
      ASSERT_LE(m->size(), max_relay_message_bytes_);
      channel.push_back({now + one_way_delay, std::move(*m)});
    }
  }

  static std::size_t data_messages(const std::deque<InFlight>& channel) {
    std::size_t n = 0;
    for (const auto& m : channel) n += m.bytes[0] == static_cast<std::uint8_t>(StreamCommand::data);
    return n;
  }

  void check_invariants() {
    max_client_buffered = std::max(max_client_buffered, client.buffered_bytes());
    max_exit_buffered = std::max(max_exit_buffered, exit.buffered_bytes());
    ASSERT_LE(client.buffered_bytes(), client.buffered_bytes_bound());
    ASSERT_LE(exit.buffered_bytes(), exit.buffered_bytes_bound());
    max_data_in_flight_to_exit = std::max(max_data_in_flight_to_exit, data_messages(to_exit_));
    max_data_in_flight_to_client = std::max(max_data_in_flight_to_client, data_messages(to_client_));
    ASSERT_LE(data_messages(to_exit_), exit_config_.circuit_window_messages);
    ASSERT_LE(data_messages(to_client_), client_config_.circuit_window_messages);
  }

  StreamMuxConfig client_config_;
  StreamMuxConfig exit_config_;
  std::size_t max_relay_message_bytes_;
  std::deque<InFlight> to_exit_;
  std::deque<InFlight> to_client_;
};

inline Bytes random_payload(RandomSource& r, std::size_t n) {
  Bytes out(n);
  r.fill(out);
  return out;
}

}  // namespace zmesh::onion::testing
