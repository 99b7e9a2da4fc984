// StreamMux flow control: a slow or stopped reader holds back only its own stream, buffered
// memory never exceeds what the windows allow, the circuit window caps DATA in flight, and
// streams with data share the circuit fairly.
#include <gtest/gtest.h>

#include "stream_test_circuit.hpp"

namespace zmesh::onion {
namespace {

using testing::StreamTestCircuit;
using testing::random_payload;

StreamMuxConfig small_windows() {
  StreamMuxConfig c;
  c.stream_window_bytes = 32 * 1024;
  c.stream_send_buffer_bytes = 16 * 1024;
  c.circuit_window_messages = 64;
  return c;
}

// Opens a stream that the exit accepts; the client sends nothing and finishes, the exit
// answers what set_response() gives it.
StreamId open_download(StreamTestCircuit& c) {
  const StreamId id = *c.client.open_stream(c.now, StreamTarget::to_domain("example.org", 80));
  c.client_app.streams[id];
  c.exit_app.on_incoming = [&c](StreamId sid, const StreamTarget&) {
    ASSERT_TRUE(c.exit.accept_stream(sid).ok());
    c.exit_app.streams[sid].finish_after_send = false;  // until set_response
  };
  return id;
}

void set_response(StreamTestCircuit& c, StreamId id, const Bytes& response) {
  ASSERT_TRUE(c.run_until([&] { return c.exit_app.streams.count(id) != 0; }, kSecond));
  c.exit_app.streams[id].to_send = response;
  c.exit_app.streams[id].finish_after_send = true;
}

TimeUs download_time_alone(const Bytes& response) {
  StreamTestCircuit c(small_windows(), small_windows());
  const StreamId id = open_download(c);
  set_response(c, id, response);
  EXPECT_TRUE(c.run_until([&] { return c.client_app.streams[id].closed; }));
  EXPECT_EQ(c.client_app.streams[id].received, response);
  return c.client_app.streams[id].done_at;
}

struct Race {
  StreamId hindered;
  StreamId other;
};

// Downloads `hindered_data` on a stream whose application reads `read_per_tick` bytes per tick
// and `other_data` on a second stream of the same circuit, until the second one is done.
Race run_race(StreamTestCircuit& c, const Bytes& hindered_data, std::size_t read_per_tick, const Bytes& other_data) {
  const Race race{open_download(c), open_download(c)};
  c.client_app.streams[race.hindered].read_per_tick = read_per_tick;
  set_response(c, race.hindered, hindered_data);
  set_response(c, race.other, other_data);
  EXPECT_TRUE(c.run_until([&] { return c.client_app.streams[race.other].closed; }));
  EXPECT_EQ(c.client_app.streams[race.other].received, other_data);
  return race;
}

TEST(StreamFlow, StoppedReaderDoesNotStallAnotherStream) {
  SeededRandom r(7);
  const Bytes big = random_payload(r, 4'000'000);
  const Bytes other = random_payload(r, 2'000'000);
  const TimeUs alone = download_time_alone(other);

  StreamTestCircuit c(small_windows(), small_windows());
  const Race race = run_race(c, big, 0, other);  // the first stream's application stops reading
  // The other stream is as fast as if it were alone (the stalled one only took its window).
  EXPECT_LE(c.client_app.streams[race.other].done_at, alone + alone / 10) << "alone " << alone;
  // The stalled stream holds exactly one window at the client and is otherwise blocked.
  EXPECT_EQ(c.client_app.streams[race.hindered].max_unread_bytes, small_windows().stream_window_bytes);
  EXPECT_TRUE(c.client_app.streams[race.hindered].received.empty());
  EXPECT_LE(c.exit_app.streams[race.hindered].sent, small_windows().stream_window_bytes + small_windows().stream_send_buffer_bytes);

  c.client_app.streams[race.hindered].read_per_tick = std::numeric_limits<std::size_t>::max();  // resumes
  ASSERT_TRUE(c.run_until([&] { return c.client_app.streams[race.hindered].closed; }));
  EXPECT_EQ(c.client_app.streams[race.hindered].received, big);
}

TEST(StreamFlow, SlowReaderDoesNotStallAnotherStream) {
  SeededRandom r(8);
  const Bytes slow_data = random_payload(r, 1'000'000);
  const Bytes fast_data = random_payload(r, 2'000'000);
  const TimeUs alone = download_time_alone(fast_data);

  StreamTestCircuit c(small_windows(), small_windows());
  const Race race = run_race(c, slow_data, 1000, fast_data);  // 1 MB/s against ~15 MB/s of circuit
  // The slow stream takes about its reading rate of the circuit, nothing more.
  EXPECT_LE(c.client_app.streams[race.other].done_at, alone + alone / 5) << "alone " << alone;
  EXPECT_FALSE(c.client_app.streams[race.hindered].closed);
  EXPECT_LE(c.client_app.streams[race.hindered].max_unread_bytes, small_windows().stream_window_bytes);
  ASSERT_TRUE(c.run_until([&] { return c.client_app.streams[race.hindered].closed; }, 5 * 60 * kSecond));
  EXPECT_EQ(c.client_app.streams[race.hindered].received, slow_data);
}

TEST(StreamFlow, WindowsBoundBufferedMemory) {
  StreamMuxConfig config;
  config.max_streams = 32;
  config.stream_window_bytes = 16 * 1024;
  config.stream_send_buffer_bytes = 8 * 1024;
  config.circuit_window_messages = 128;
  StreamTestCircuit c(config, config);
  SeededRandom r(9);
  std::map<StreamId, Bytes> up, down;
  for (int i = 0; i < 32; ++i) {
    const StreamId id = *c.client.open_stream(c.now, StreamTarget::to_domain("example.org", 80));
    up[id] = random_payload(r, 300'000);
    down[id] = random_payload(r, 300'000);
    c.client_app.streams[id].to_send = up[id];
    c.client_app.streams[id].read_per_tick = 0;  // nobody reads, at either end
  }
  c.exit_app.on_incoming = [&](StreamId id, const StreamTarget&) {
    ASSERT_TRUE(c.exit.accept_stream(id).ok());
    c.exit_app.streams[id].to_send = down[id];
    c.exit_app.streams[id].read_per_tick = 0;
  };
  c.run_until([] { return false; }, 3 * kSecond);
  // Every buffer is full, none beyond its window; the harness checked the totals at every tick.
  const std::size_t per_stream = config.stream_window_bytes + config.stream_send_buffer_bytes;
  EXPECT_EQ(c.client.buffered_bytes_bound(), 32 * per_stream);
  EXPECT_EQ(c.max_client_buffered, 32 * per_stream);
  EXPECT_EQ(c.max_exit_buffered, 32 * per_stream);
  for (const auto& [id, bytes] : up) {
    EXPECT_EQ(c.client.readable_bytes(id), config.stream_window_bytes);
    EXPECT_EQ(c.exit.readable_bytes(id), config.stream_window_bytes);
    EXPECT_EQ(c.client_app.streams[id].sent, config.stream_window_bytes + config.stream_send_buffer_bytes);
  }
  EXPECT_LE(c.max_data_in_flight_to_client, config.circuit_window_messages);

  for (auto* app : {&c.client_app, &c.exit_app}) {
    for (auto& [id, t] : app->streams) t.read_per_tick = std::numeric_limits<std::size_t>::max();
  }
  ASSERT_TRUE(c.run_until([&] {
    for (const auto& [id, t] : c.client_app.streams) {
      if (!t.closed) return false;
    }
    return true;
  }));
  for (const auto& [id, bytes] : up) {
    EXPECT_EQ(c.exit_app.streams[id].received, bytes);
    EXPECT_EQ(c.client_app.streams[id].received, down[id]);
  }
}

TEST(StreamFlow, CircuitWindowCapsDataInFlight) {
  StreamMuxConfig config;
  config.circuit_window_messages = 16;
  StreamTestCircuit c(config, config);
  c.one_way_delay = 50 * kMillisecond;
  c.messages_per_tick = 64;
  SeededRandom r(10);
  const Bytes response = random_payload(r, 3'000'000);
  std::vector<StreamId> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(open_download(c));
  for (StreamId id : ids) set_response(c, id, response);
  ASSERT_TRUE(c.run_until([&] {
    for (StreamId id : ids) {
      if (!c.client_app.streams[id].closed) return false;
    }
    return true;
  }, 10 * 60 * kSecond));
  EXPECT_EQ(c.max_data_in_flight_to_client, 16u);  // reached, never exceeded
  // Throughput is one window per round trip (credit returns every quarter window).
  const double seconds = static_cast<double>(c.client_app.streams[ids.back()].done_at) / kSecond;
  const double messages = 4.0 * response.size() / c.client.max_data_payload_bytes();
  EXPECT_LT(messages / seconds, 16.0 / 0.100 * 1.05);
  EXPECT_GT(messages / seconds, 16.0 / 0.100 * 0.5);
}

TEST(StreamFlow, StreamsShareTheCircuitFairly) {
  StreamTestCircuit c(small_windows(), small_windows());
  c.messages_per_tick = 4;  // the circuit, not the windows, is the bottleneck
  SeededRandom r(11);
  const Bytes response = random_payload(r, 1'000'000);
  const StreamId a = open_download(c);
  const StreamId b = open_download(c);
  const StreamId d = open_download(c);
  for (StreamId id : {a, b, d}) set_response(c, id, response);
  ASSERT_TRUE(c.run_until([&] { return c.client_app.streams[a].closed && c.client_app.streams[b].closed && c.client_app.streams[d].closed; }));
  const TimeUs first = std::min({c.client_app.streams[a].done_at, c.client_app.streams[b].done_at, c.client_app.streams[d].done_at});
  const TimeUs last = std::max({c.client_app.streams[a].done_at, c.client_app.streams[b].done_at, c.client_app.streams[d].done_at});
  EXPECT_LE(last - first, last / 50) << first << " " << last;
}

}  // namespace
}  // namespace zmesh::onion
