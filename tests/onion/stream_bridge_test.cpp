// StreamBridge without sockets: two bridges (SOCKS side and exit side) joined by real StreamMux
// ends over an in-memory circuit, each facing a simulated TCP socket with a bounded send buffer
// (all-or-nothing writes, a writable signal once drained below half, receive pausing) and a
// local application that writes in random chunks and reads at a chosen rate. Checked: bytes
// arrive exactly, both ways, under back-pressure on every side; each ending (EOF either side,
// reset either side, socket error, failed finish) ends both the socket and the stream.
#include "onion/stream_bridge.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <limits>
#include <memory>
#include <variant>

#include "runtime/random.hpp"

namespace zmesh::onion {
namespace {

constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

// A TCP socket as the bridge sees it, plus the local application at its far end.
struct SimSocket {
  enum class State { open, flushing, closed };
  // The local application.
  Bytes app_payload;                 // what it writes into the socket
  std::size_t app_sent = 0;
  std::size_t app_max_chunk = 4096;  // writes come in random chunks of 1..this
  std::size_t app_read_per_tick = kUnlimited;
  bool app_fin_after_payload = false;  // close once the payload is out ...
  std::size_t app_fin_after_receiving = 0;  // ... and this much arrived
  Bytes app_received;
  // The socket.
  std::size_t limit = kBridgedSocketHighWaterBytes;
  Bytes send_buffer;  // written by the bridge, not yet read by the application
  bool paused = false;
  bool want_writable = false;
  State state = State::open;
  bool aborted = false;
  std::size_t max_buffered = 0;
  std::size_t pauses = 0;

  bool write(ByteView bytes) {
    if (state != State::open) return false;
    if (send_buffer.size() + bytes.size() > limit) {
      want_writable = true;
      return false;
    }
    send_buffer.insert(send_buffer.end(), bytes.begin(), bytes.end());
    max_buffered = std::max(max_buffered, send_buffer.size());
    return true;
  }
};

// One end of a stream, as seen by the bridge: a StreamMux and the stream's id in it.
struct StreamEnd {
  StreamMux* mux = nullptr;
  StreamId id = 0;
};

// Executes the bridge's actions against the mux and the simulated socket (what
// src/app/onion_stream_bridge.cpp does with OnionService and a TcpStream).
void run_actions(StreamBridge& bridge, StreamEnd stream, SimSocket& socket) {
  while (auto action = bridge.poll_action()) {
    if (auto* w = std::get_if<bridge::WriteToStream>(&*action)) {
      auto took = stream.mux->write(stream.id, w->bytes);
      bridge.on_stream_took(took.ok() ? *took : 0);
    } else if (auto* r = std::get_if<bridge::ReadFromStream>(&*action)) {
      auto n = stream.mux->read(stream.id, r->into);
      bridge.on_stream_read(n.ok() ? *n : 0, stream.mux->at_eof(stream.id));
    } else if (std::holds_alternative<bridge::FinishStream>(*action)) {
      bridge.on_stream_finish_result(stream.mux->finish(stream.id).ok());
    } else if (auto* reset = std::get_if<bridge::ResetStream>(&*action)) {
      (void)stream.mux->reset(0, stream.id, reset->error);
    } else if (auto* ws = std::get_if<bridge::WriteToSocket>(&*action)) {
      bridge.on_socket_took(socket.write(ws->bytes));
    } else if (auto* p = std::get_if<bridge::PauseSocket>(&*action)) {
      socket.pauses += p->paused ? 1 : 0;
      socket.paused = p->paused;
    } else if (auto* c = std::get_if<bridge::CloseSocket>(&*action)) {
      if (c->abort) {
        socket.send_buffer.clear();
        socket.aborted = true;
        socket.state = SimSocket::State::closed;
        bridge.on_socket_error();  // the driver reports the close it caused, as TcpStream does
      } else if (socket.state == SimSocket::State::open) {
        socket.state = SimSocket::State::flushing;
      }
    }
  }
}

// One tick of the local application and the socket: reads, writable signal, writes, endings.
void step_socket(StreamBridge& bridge, SimSocket& s, RandomSource& random) {
  const std::size_t n = std::min(s.app_read_per_tick, s.send_buffer.size());
  s.app_received.insert(s.app_received.end(), s.send_buffer.begin(), s.send_buffer.begin() + static_cast<std::ptrdiff_t>(n));
  s.send_buffer.erase(s.send_buffer.begin(), s.send_buffer.begin() + static_cast<std::ptrdiff_t>(n));
  if (s.state == SimSocket::State::closed) return;
  if (s.state == SimSocket::State::flushing) {
    if (s.send_buffer.empty()) {
      s.state = SimSocket::State::closed;
      bridge.on_socket_eof();  // our close completed (CloseKind::local)
    }
    return;
  }
  if (s.want_writable && s.send_buffer.size() <= s.limit / 2) {
    s.want_writable = false;
    bridge.on_socket_writable();
  }
  if (!s.paused && s.app_sent < s.app_payload.size()) {
    const std::size_t chunk = std::min<std::size_t>(1 + random.uniform(s.app_max_chunk), s.app_payload.size() - s.app_sent);
    bridge.on_socket_data(ByteView(s.app_payload).subspan(s.app_sent, chunk));
    s.app_sent += chunk;
  }
  const bool payload_out = s.app_sent == s.app_payload.size();
  if (s.app_fin_after_payload && payload_out && s.app_received.size() >= s.app_fin_after_receiving) {
    s.state = SimSocket::State::closed;
    bridge.on_socket_eof();  // the application's FIN (CloseKind::peer_closed)
  }
}

// A SOCKS client and a server joined through two bridges and a circuit.
class BridgedConnection {
 public:
  explicit BridgedConnection(std::uint64_t seed, StreamMuxConfig config = {})
      : random_(seed), client_mux_(StreamMuxRole::client, 925, config), exit_mux_(StreamMuxRole::exit, 925, config) {
    client_id_ = *client_mux_.open_stream(now_, StreamTarget::to_domain("example.org", 80));
  }

  SimSocket client;  // the application that connected to the SOCKS port
  SimSocket server;  // the target the exit connected to
  std::size_t messages_per_tick = 16;
  bool circuit_up = true;

  StreamBridge* client_bridge() { return client_bridge_.get(); }
  StreamBridge* exit_bridge() { return exit_bridge_.get(); }
  StreamEnd client_end() { return {&client_mux_, client_id_}; }
  StreamEnd exit_end() { return {&exit_mux_, exit_id_}; }

  void step() {
    now_ += kMillisecond;
    carry(to_exit_, exit_mux_);
    carry(to_client_, client_mux_);
    events();
    if (client_bridge_) {
      step_socket(*client_bridge_, client, random_);
      run_actions(*client_bridge_, client_end(), client);
    }
    if (exit_bridge_) {
      step_socket(*exit_bridge_, server, random_);
      run_actions(*exit_bridge_, exit_end(), server);
    }
    if (circuit_up) {
      send(client_mux_, to_exit_);
      send(exit_mux_, to_client_);
    }
  }

  bool both_finished() const {
    return client_bridge_ && exit_bridge_ && client_bridge_->finished() && exit_bridge_->finished();
  }
  bool run_until(const std::function<bool()>& done, int max_ticks = 200000) {
    for (int i = 0; i < max_ticks && !done(); ++i) step();
    return done();
  }

  void close_circuit() {
    circuit_up = false;
    to_exit_.clear();
    to_client_.clear();
    client_mux_.on_circuit_closed();
    exit_mux_.on_circuit_closed();
  }

 private:
  void events() {
    while (auto e = exit_mux_.poll_event()) {
      if (e->kind == StreamEventKind::incoming) {
        ASSERT_TRUE(exit_mux_.accept_stream(e->stream).ok());
        exit_id_ = e->stream;
        exit_bridge_ = std::make_unique<StreamBridge>();
        run_actions(*exit_bridge_, exit_end(), server);
      } else if (exit_bridge_) {
        exit_bridge_->on_stream_event(e->kind);
        run_actions(*exit_bridge_, exit_end(), server);
      }
    }
    while (auto e = client_mux_.poll_event()) {
      if (e->kind == StreamEventKind::connected) {
        client_bridge_ = std::make_unique<StreamBridge>();
        run_actions(*client_bridge_, client_end(), client);
      } else if (client_bridge_) {
        client_bridge_->on_stream_event(e->kind);
        run_actions(*client_bridge_, client_end(), client);
      }
    }
  }

  static void carry(std::deque<Bytes>& channel, StreamMux& to) {
    while (!channel.empty()) {
      ASSERT_TRUE(to.on_circuit_message(0, channel.front()).ok());
      channel.pop_front();
    }
  }
  void send(StreamMux& from, std::deque<Bytes>& channel) {
    for (std::size_t i = 0; i < messages_per_tick; ++i) {
      auto m = from.poll_circuit_message();
      if (!m) break;
      channel.push_back(std::move(*m));
    }
  }

  SeededRandom random_;
  TimeUs now_ = 0;
  StreamMux client_mux_;
  StreamMux exit_mux_;
  StreamId client_id_ = 0;
  StreamId exit_id_ = 0;
  std::unique_ptr<StreamBridge> client_bridge_;
  std::unique_ptr<StreamBridge> exit_bridge_;
  std::deque<Bytes> to_exit_;
  std::deque<Bytes> to_client_;
};

Bytes payload(std::uint64_t seed, std::size_t n) {
  SeededRandom random(seed);
  Bytes out(n);
  random.fill(out);
  return out;
}

// The server answers and hangs up once it has the whole request; the client hangs up once it
// has the whole answer (no half-close needed by either).
void request_response(BridgedConnection& c, std::size_t request_bytes, std::size_t response_bytes) {
  c.client.app_payload = payload(1, request_bytes);
  c.server.app_payload = payload(2, response_bytes);
  c.server.app_fin_after_payload = true;
  c.server.app_fin_after_receiving = request_bytes;
}

TEST(StreamBridge, CopiesBothWaysByteExactWithRandomChunkingAndBackPressure) {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE(seed);
    BridgedConnection c(seed);
    SeededRandom shape(seed * 7919);
    request_response(c, 1 + shape.uniform(400 * 1024), 1 + shape.uniform(1200 * 1024));
    c.client.app_max_chunk = 1 + shape.uniform(64 * 1024);
    c.server.app_max_chunk = 1 + shape.uniform(64 * 1024);
    // Slow readers on some seeds: the socket's high-water mark and then the stream windows push back.
    c.client.app_read_per_tick = seed % 3 == 0 ? 1 + shape.uniform(2048) : kUnlimited;
    c.server.app_read_per_tick = seed % 4 == 0 ? 1 + shape.uniform(2048) : kUnlimited;
    c.messages_per_tick = 1 + shape.uniform(32);
    ASSERT_TRUE(c.run_until([&] { return c.both_finished(); }));
    EXPECT_EQ(c.server.app_received, c.client.app_payload);
    EXPECT_EQ(c.client.app_received, c.server.app_payload);
    EXPECT_EQ(c.client_bridge()->bytes_to_stream(), c.client.app_payload.size());
    EXPECT_EQ(c.client_bridge()->bytes_to_socket(), c.server.app_payload.size());
    EXPECT_FALSE(c.client.aborted);
    EXPECT_FALSE(c.server.aborted);
    EXPECT_LE(c.client.max_buffered, kBridgedSocketHighWaterBytes);
  }
}

TEST(StreamBridge, SlowLocalReaderStopsTheStreamInsteadOfBufferingIt) {
  BridgedConnection c(5);
  request_response(c, 100, 4 * 1024 * 1024);
  c.client.app_read_per_tick = 0;  // reads nothing until told
  c.run_until([] { return false; }, 3000);
  // The socket holds at most its high-water mark; the rest waits at the far end's stream.
  EXPECT_LE(c.client.send_buffer.size(), kBridgedSocketHighWaterBytes);
  EXPECT_LT(c.client_bridge()->bytes_to_socket(), 1024 * 1024u);
  // Reading again resumes the transfer (the socket's writable signal restarts the bridge).
  c.client.app_read_per_tick = 64 * 1024;
  ASSERT_TRUE(c.run_until([&] { return c.both_finished(); }));
  EXPECT_EQ(c.client.app_received, c.server.app_payload);
}

TEST(StreamBridge, FullStreamPausesTheSocketUntilWritable) {
  BridgedConnection c(6);
  request_response(c, 3 * 1024 * 1024, 10);
  c.server.app_read_per_tick = 1024;  // the exit's socket, then both stream windows, fill up
  c.run_until([] { return false; }, 2000);
  EXPECT_GT(c.client.pauses, 0u);
  EXPECT_LT(c.client.app_sent, c.client.app_payload.size());
  EXPECT_LE(c.client_bridge()->pending_to_stream(), c.client.app_max_chunk);
  c.server.app_read_per_tick = kUnlimited;
  ASSERT_TRUE(c.run_until([&] { return c.both_finished(); }));
  EXPECT_EQ(c.server.app_received, c.client.app_payload);
}

TEST(StreamBridge, ClientEofFinishesTheStreamAfterEveryByte) {
  BridgedConnection c(7);
  c.client.app_payload = payload(3, 300 * 1024);
  c.client.app_fin_after_payload = true;  // sends, then FIN at once: nothing comes back
  c.server.app_read_per_tick = 8 * 1024;
  // The server hangs up once it saw the whole upload.
  c.server.app_fin_after_payload = true;
  c.server.app_fin_after_receiving = c.client.app_payload.size();
  ASSERT_TRUE(c.run_until([&] { return c.both_finished(); }));
  EXPECT_EQ(c.server.app_received, c.client.app_payload);
  EXPECT_FALSE(c.server.aborted);
}

TEST(StreamBridge, ServerEofFlushesTheClientSocketThenClosesIt) {
  BridgedConnection c(8);
  c.server.app_payload = payload(4, 500 * 1024);
  c.server.app_fin_after_payload = true;
  c.client.app_read_per_tick = 16 * 1024;
  ASSERT_TRUE(c.run_until([&] { return c.both_finished(); }));
  EXPECT_EQ(c.client.app_received, c.server.app_payload);
  EXPECT_EQ(c.client.state, SimSocket::State::closed);
  EXPECT_FALSE(c.client.aborted);
}

TEST(StreamBridge, SocketErrorResetsTheStreamAndAbortsTheOtherSide) {
  BridgedConnection c(9);
  c.client.app_payload = payload(5, 2 * 1024 * 1024);
  c.server.app_payload = payload(6, 2 * 1024 * 1024);
  c.run_until([&] { return c.server.app_received.size() > 100 * 1024; });
  c.server.state = SimSocket::State::closed;
  c.exit_bridge()->on_socket_error();  // the target's connection broke
  run_actions(*c.exit_bridge(), c.exit_end(), c.server);
  EXPECT_TRUE(c.exit_bridge()->stream_done());
  ASSERT_TRUE(c.run_until([&] { return c.both_finished(); }));
  EXPECT_TRUE(c.client.aborted);  // the client's connection is reset, not closed in order
}

TEST(StreamBridge, ClientResetAbortsTheServerSocket) {
  BridgedConnection c(10);
  c.client.app_payload = payload(7, 1024 * 1024);
  c.run_until([&] { return c.server.app_received.size() > 10 * 1024; });
  c.client.state = SimSocket::State::closed;
  c.client_bridge()->on_socket_error();
  run_actions(*c.client_bridge(), c.client_end(), c.client);
  ASSERT_TRUE(c.run_until([&] { return c.both_finished(); }));
  EXPECT_TRUE(c.server.aborted);
  EXPECT_LT(c.server.app_received.size(), c.client.app_payload.size());
}

TEST(StreamBridge, CircuitLossResetsBothStreamsAndAbortsBothSockets) {
  BridgedConnection c(11);
  c.client.app_payload = payload(8, 1024 * 1024);
  c.server.app_payload = payload(9, 1024 * 1024);
  c.run_until([&] { return c.client.app_received.size() > 10 * 1024; });
  c.close_circuit();
  ASSERT_TRUE(c.run_until([&] { return c.both_finished(); }));
  EXPECT_TRUE(c.client.aborted);
  EXPECT_TRUE(c.server.aborted);
}

// --- one bridge against a scripted stream: the edges the pair above does not reach ---

// Drains the bridge's actions, answering every question with the given replies.
std::vector<BridgeAction> drain(StreamBridge& b, std::size_t stream_takes = kUnlimited, bool socket_accepts = true,
                                bool finish_ok = true, Bytes stream_data = {}, bool stream_eof = false) {
  std::vector<BridgeAction> seen;
  while (auto a = b.poll_action()) {
    seen.push_back(*a);
    if (auto* w = std::get_if<bridge::WriteToStream>(&*a)) {
      b.on_stream_took(std::min(stream_takes, w->bytes.size()));
    } else if (auto* r = std::get_if<bridge::ReadFromStream>(&*a)) {
      const std::size_t n = std::min(stream_data.size(), r->into.size());
      std::copy_n(stream_data.begin(), n, r->into.begin());
      stream_data.erase(stream_data.begin(), stream_data.begin() + static_cast<std::ptrdiff_t>(n));
      b.on_stream_read(n, stream_eof && stream_data.empty());
    } else if (std::holds_alternative<bridge::WriteToSocket>(*a)) {
      b.on_socket_took(socket_accepts);
    } else if (std::holds_alternative<bridge::FinishStream>(*a)) {
      b.on_stream_finish_result(finish_ok);
    }
  }
  return seen;
}

template <class T>
std::size_t count(const std::vector<BridgeAction>& actions) {
  return static_cast<std::size_t>(std::count_if(actions.begin(), actions.end(), [](const BridgeAction& a) {
    return std::holds_alternative<T>(a);
  }));
}

TEST(StreamBridge, FailedFinishResetsTheStream) {
  StreamBridge b;
  drain(b);
  b.on_socket_eof();
  const auto actions = drain(b, kUnlimited, true, /*finish_ok=*/false);
  ASSERT_EQ(count<bridge::ResetStream>(actions), 1u);
  EXPECT_TRUE(b.stream_done());
  EXPECT_TRUE(b.finished());  // socket and stream both done
  EXPECT_EQ(count<bridge::Finished>(actions), 1u);
  EXPECT_TRUE(drain(b).empty());  // Finished comes once
}

TEST(StreamBridge, PausesOnlyWhileSocketBytesWaitForTheStream) {
  StreamBridge b;
  drain(b);
  b.on_socket_data(as_bytes(std::string_view("hello")));
  auto actions = drain(b, /*stream_takes=*/2);
  ASSERT_EQ(count<bridge::PauseSocket>(actions), 1u);
  EXPECT_TRUE(std::get<bridge::PauseSocket>(actions.back()).paused);
  EXPECT_EQ(b.pending_to_stream(), 3u);
  EXPECT_TRUE(drain(b).empty());  // blocked: no retry before `writable`
  b.on_stream_event(StreamEventKind::writable);
  actions = drain(b);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(std::get<bridge::WriteToStream>(actions[0]).bytes.size(), 3u);  // (view is stale now: size only)
  EXPECT_FALSE(std::get<bridge::PauseSocket>(actions[1]).paused);
  EXPECT_EQ(b.bytes_to_stream(), 5u);
}

TEST(StreamBridge, RefusedSocketWriteHoldsTheChunkAndStopsReading) {
  StreamBridge b(StreamBridgeConfig{.read_chunk_bytes = 4});
  auto actions = drain(b, kUnlimited, /*socket_accepts=*/false, true, Bytes{1, 2, 3, 4, 5, 6});
  EXPECT_EQ(count<bridge::ReadFromStream>(actions), 1u);  // one chunk held, no more reads
  EXPECT_EQ(count<bridge::WriteToSocket>(actions), 1u);
  EXPECT_EQ(b.bytes_to_socket(), 0u);
  b.on_stream_event(StreamEventKind::readable);
  EXPECT_TRUE(drain(b).empty());  // still blocked
  b.on_socket_writable();
  actions = drain(b, kUnlimited, true, true, Bytes{5, 6});
  EXPECT_EQ(b.bytes_to_socket(), 6u);
  EXPECT_EQ(count<bridge::WriteToSocket>(actions), 2u);
}

TEST(StreamBridge, StreamResetAbortsTheSocketAndDropsHeldBytes) {
  StreamBridge b(StreamBridgeConfig{.read_chunk_bytes = 4});
  drain(b, kUnlimited, /*socket_accepts=*/false, true, Bytes{1, 2, 3});
  b.on_stream_event(StreamEventKind::reset);
  auto actions = drain(b);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_TRUE(std::get<bridge::CloseSocket>(actions[0]).abort);
  EXPECT_FALSE(b.finished());  // until the socket reports its end
  b.on_socket_error();
  actions = drain(b);
  EXPECT_EQ(count<bridge::ResetStream>(actions), 0u);  // the stream is gone already
  EXPECT_EQ(count<bridge::Finished>(actions), 1u);
}

TEST(StreamBridge, StreamClosedFlushesTheHeldChunkBeforeClosing) {
  StreamBridge b(StreamBridgeConfig{.read_chunk_bytes = 4});
  drain(b, kUnlimited, /*socket_accepts=*/false, true, Bytes{1, 2, 3});
  b.on_stream_event(StreamEventKind::closed);
  EXPECT_TRUE(drain(b).empty());  // waits for the socket's room
  b.on_socket_writable();
  auto actions = drain(b);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<bridge::WriteToSocket>(actions[0]));
  EXPECT_FALSE(std::get<bridge::CloseSocket>(actions[1]).abort);
  b.on_socket_eof();
  EXPECT_EQ(count<bridge::Finished>(drain(b)), 1u);
}

TEST(StreamBridge, StreamEofClosesTheSocketAndItsCloseFinishesTheStream) {
  StreamBridge b;
  auto actions = drain(b, kUnlimited, true, true, Bytes{9, 9}, /*stream_eof=*/true);
  EXPECT_EQ(b.bytes_to_socket(), 2u);
  ASSERT_FALSE(actions.empty());
  EXPECT_FALSE(std::get<bridge::CloseSocket>(actions.back()).abort);
  b.on_socket_eof();  // our close completed
  actions = drain(b);
  EXPECT_EQ(count<bridge::FinishStream>(actions), 1u);
  EXPECT_FALSE(b.finished());  // until the stream closes
  b.on_stream_event(StreamEventKind::closed);
  EXPECT_EQ(count<bridge::Finished>(drain(b)), 1u);
}

TEST(StreamBridge, AnswerWithoutQuestionIsAProgrammingError) {
  StreamBridge b;
  EXPECT_DEATH_IF_SUPPORTED(b.on_stream_took(0), "");  // no death tests under WebAssembly
}

}  // namespace
}  // namespace zmesh::onion
