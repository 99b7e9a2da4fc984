// StreamMux end to end over an in-memory circuit (stream_test_circuit.hpp): many concurrent
// streams byte-exact, orderly and abortive close reported at both ends, open failures with
// their reasons, timeouts, a failed circuit, and limits.
#include <gtest/gtest.h>

#include "stream_test_circuit.hpp"

namespace zmesh::onion {
namespace {

using testing::StreamTestCircuit;
using testing::Transfer;
using testing::random_payload;

StreamTarget target(std::uint16_t port) { return StreamTarget::to_domain("example.org", port); }

StreamId open(StreamTestCircuit& c, Bytes request, std::uint16_t port = 80) {
  auto id = c.client.open_stream(c.now, target(port));
  EXPECT_TRUE(id.ok()) << id.error().describe();
  c.client_app.streams[*id].to_send = std::move(request);
  return *id;
}

bool all_done(const std::map<StreamId, Transfer>& streams) {
  for (const auto& [id, t] : streams) {
    if (!t.closed && !t.reset) return false;
  }
  return true;
}

TEST(StreamMux, ManyConcurrentStreamsAreByteExact) {
  StreamTestCircuit c;
  SeededRandom r(1);
  // The exit answers each stream with a payload whose size depends on the requested port.
  std::map<StreamId, Bytes> responses;
  c.exit_app.on_incoming = [&](StreamId id, const StreamTarget& t) {
    ASSERT_TRUE(c.exit.accept_stream(id).ok());
    responses[id] = random_payload(r, static_cast<std::size_t>(t.port) * 97);
    c.exit_app.streams[id].to_send = responses[id];
  };
  std::map<StreamId, Bytes> requests;
  for (int i = 0; i < 100; ++i) {
    const auto port = static_cast<std::uint16_t>(1 + r.uniform(3000));
    Bytes request = random_payload(r, r.uniform(40000));
    const StreamId id = open(c, request, port);
    requests[id] = std::move(request);
  }
  ASSERT_TRUE(c.run_until([&] { return all_done(c.client_app.streams) && all_done(c.exit_app.streams) && c.exit_app.streams.size() == 100; }));
  ASSERT_EQ(c.client_app.streams.size(), 100u);
  for (const auto& [id, t] : c.client_app.streams) {
    EXPECT_TRUE(t.connected);
    EXPECT_TRUE(t.closed) << id << " " << stream_error_name(t.error);
    EXPECT_EQ(t.received, responses[id]) << id;
    EXPECT_EQ(c.exit_app.streams[id].received, requests[id]) << id;
    EXPECT_TRUE(c.exit_app.streams[id].closed) << id;
  }
  c.run_until([] { return false; }, 100 * kMillisecond);  // let the last messages land
  EXPECT_EQ(c.client.stream_count(), 0u);
  EXPECT_EQ(c.exit.stream_count(), 0u);
  EXPECT_FALSE(c.client.failed());
  EXPECT_FALSE(c.exit.failed());
  EXPECT_EQ(c.client.counters().discarded_data_bytes, 0u);
}

TEST(StreamMux, ClientMayWriteBeforeConnected) {
  StreamTestCircuit c;
  const Bytes request = {'G', 'E', 'T'};
  const StreamId id = open(c, {});
  ASSERT_EQ(*c.client.write(id, request), request.size());
  ASSERT_TRUE(c.client.finish(id).ok());
  c.exit_app.on_incoming = [&](StreamId sid, const StreamTarget&) {
    ASSERT_TRUE(c.exit.accept_stream(sid).ok());
    c.exit_app.streams[sid].to_send = {'o', 'k'};
  };
  ASSERT_TRUE(c.run_until([&] { return c.client_app.streams[id].closed && c.exit_app.streams[id].closed; }));
  EXPECT_EQ(c.exit_app.streams[id].received, request);
  EXPECT_EQ(c.client_app.streams[id].received, (Bytes{'o', 'k'}));
}

TEST(StreamMux, HalfCloseThenResponseIsOrderly) {
  StreamTestCircuit c;
  SeededRandom r(2);
  const Bytes response = random_payload(r, 300000);
  // The exit answers only after the client's END, as a server reading to EOF would.
  c.exit_app.on_incoming = [&](StreamId id, const StreamTarget&) {
    ASSERT_TRUE(c.exit.accept_stream(id).ok());
    c.exit_app.streams[id].finish_after_send = false;
  };
  const StreamId id = open(c, {'q'});
  ASSERT_TRUE(c.run_until([&] { return c.exit_app.streams[id].peer_finished; }));
  EXPECT_TRUE(c.exit.at_eof(id));
  EXPECT_FALSE(c.client_app.streams[id].closed);
  c.exit_app.streams[id].to_send = response;
  c.exit_app.streams[id].finish_after_send = true;
  ASSERT_TRUE(c.run_until([&] { return c.client_app.streams[id].closed && c.exit_app.streams[id].closed; }));
  EXPECT_EQ(c.client_app.streams[id].received, response);
  EXPECT_EQ(c.exit_app.streams[id].received, Bytes{'q'});
  EXPECT_TRUE(c.client_app.streams[id].peer_finished);
}

TEST(StreamMux, ExitResetIsReportedToTheClient) {
  StreamTestCircuit c;
  SeededRandom r(3);
  const Bytes response = random_payload(r, 2'000'000);
  c.exit_app.on_incoming = [&](StreamId id, const StreamTarget&) {
    ASSERT_TRUE(c.exit.accept_stream(id).ok());
    c.exit_app.streams[id].to_send = response;
  };
  const StreamId id = open(c, {});
  c.client_app.streams[id].finish_after_send = false;
  ASSERT_TRUE(c.run_until([&] { return c.client_app.streams[id].received.size() > 200000; }));
  // The exit's TCP connection to the target breaks mid-transfer.
  ASSERT_TRUE(c.exit.reset(c.now, id, StreamError::connection_reset).ok());
  EXPECT_FALSE(c.exit.write(id, response).ok());  // the id is no longer the application's
  ASSERT_TRUE(c.run_until([&] { return c.client_app.streams[id].reset; }));
  const Transfer& t = c.client_app.streams[id];
  EXPECT_EQ(t.error, StreamError::connection_reset);
  EXPECT_LT(t.received.size(), response.size());
  EXPECT_EQ(t.received, Bytes(response.begin(), response.begin() + static_cast<std::ptrdiff_t>(t.received.size())));
  EXPECT_FALSE(t.closed);
  c.run_until([] { return false; }, 100 * kMillisecond);
  EXPECT_EQ(c.client.stream_count(), 0u);
  EXPECT_EQ(c.exit.stream_count(), 0u);
}

TEST(StreamMux, ClientResetIsReportedToTheExit) {
  StreamTestCircuit c;
  SeededRandom r(4);
  c.exit_app.on_incoming = [&](StreamId id, const StreamTarget&) {
    ASSERT_TRUE(c.exit.accept_stream(id).ok());
    c.exit_app.streams[id].to_send = random_payload(r, 1'000'000);
  };
  const StreamId id = open(c, random_payload(r, 1'000'000));
  ASSERT_TRUE(c.run_until([&] { return c.exit_app.streams[id].received.size() > 100000; }));
  ASSERT_TRUE(c.client.reset(c.now, id).ok());
  ASSERT_TRUE(c.run_until([&] { return c.exit_app.streams[id].reset; }));
  EXPECT_EQ(c.exit_app.streams[id].error, StreamError::aborted);
  EXPECT_FALSE(c.client_app.streams[id].reset);  // the initiator gets no event
  c.run_until([] { return false; }, 100 * kMillisecond);
  EXPECT_EQ(c.client.stream_count(), 0u);
  EXPECT_EQ(c.exit.stream_count(), 0u);
  EXPECT_GT(c.client.counters().discarded_data_bytes, 0u);  // data that crossed the RESET
}

TEST(StreamMux, RefusalsCarryTheirReasons) {
  StreamTestCircuit c;
  const StreamError reasons[] = {StreamError::exit_policy, StreamError::resolve_failed, StreamError::connection_refused,
                                 StreamError::unreachable, StreamError::timeout, StreamError::misc};
  std::map<std::uint16_t, StreamError> by_port;
  for (std::uint16_t i = 0; i < 6; ++i) by_port[static_cast<std::uint16_t>(1000 + i)] = reasons[i];
  c.exit_app.on_incoming = [&](StreamId id, const StreamTarget& t) {
    ASSERT_TRUE(c.exit.refuse_stream(id, by_port.at(t.port)).ok());
  };
  std::map<StreamId, StreamError> expected;
  for (const auto& [port, reason] : by_port) expected[open(c, {1, 2, 3}, port)] = reason;
  ASSERT_TRUE(c.run_until([&] { return all_done(c.client_app.streams); }));
  for (const auto& [id, reason] : expected) {
    EXPECT_TRUE(c.client_app.streams[id].reset);
    EXPECT_FALSE(c.client_app.streams[id].connected);
    EXPECT_EQ(c.client_app.streams[id].error, reason);
    EXPECT_TRUE(c.exit_app.streams[id].received.empty());
  }
  EXPECT_EQ(c.client.stream_count(), 0u);
  EXPECT_EQ(c.exit.stream_count(), 0u);
  EXPECT_FALSE(c.exit.refuse_stream(1, StreamError::none).ok());
}

TEST(StreamMux, ExitApplicationThatNeverDecidesIsTimedOut) {
  StreamMuxConfig exit_config;
  exit_config.connect_timeout = 1 * kSecond;
  StreamTestCircuit c(StreamMuxConfig{}, exit_config);
  c.exit_app.on_incoming = [](StreamId, const StreamTarget&) {};  // the exit's connect hangs
  const StreamId id = open(c, {});
  ASSERT_TRUE(c.run_until([&] { return c.client_app.streams[id].reset; }, 10 * kSecond));
  EXPECT_EQ(c.client_app.streams[id].error, StreamError::timeout);
  EXPECT_EQ(c.exit_app.streams[id].error, StreamError::timeout);  // the exit's application is told too
  EXPECT_GE(c.client_app.streams[id].done_at, 1 * kSecond);
  EXPECT_LT(c.client_app.streams[id].done_at, 2 * kSecond);
  c.run_until([] { return false; }, 100 * kMillisecond);
  EXPECT_EQ(c.client.stream_count(), 0u);
  EXPECT_EQ(c.exit.stream_count(), 0u);
}

TEST(StreamMux, ClientConnectTimeoutResetsTheExitSide) {
  StreamMuxConfig client_config;
  client_config.connect_timeout = 2 * kSecond;
  StreamTestCircuit c(client_config, StreamMuxConfig{});
  c.exit_app.on_incoming = [](StreamId, const StreamTarget&) {};
  const StreamId id = open(c, {});
  ASSERT_TRUE(c.run_until([&] { return c.exit_app.streams[id].reset; }, 4 * kSecond));
  EXPECT_EQ(c.client_app.streams[id].error, StreamError::timeout);
  EXPECT_EQ(c.exit_app.streams[id].error, StreamError::timeout);
  EXPECT_FALSE(c.exit.accept_stream(id).ok());  // too late
  c.run_until([] { return false; }, 100 * kMillisecond);
  EXPECT_EQ(c.client.stream_count(), 0u);
  EXPECT_EQ(c.exit.stream_count(), 0u);
}

TEST(StreamMux, FailedCircuitResetsEveryStream) {
  StreamTestCircuit c;
  SeededRandom r(5);
  for (int i = 0; i < 10; ++i) open(c, random_payload(r, 500000));
  c.exit_app.on_incoming = [&](StreamId id, const StreamTarget&) {
    if (id % 2 == 0) {
      ASSERT_TRUE(c.exit.accept_stream(id).ok());  // odd ones stay undecided
    }
  };
  ASSERT_TRUE(c.run_until([&] { return c.exit_app.streams.size() == 10; }));
  c.step();
  c.close_circuit();
  c.step();
  for (const auto* app : {&c.client_app, &c.exit_app}) {
    for (const auto& [id, t] : app->streams) {
      EXPECT_TRUE(t.reset) << id;
      EXPECT_FALSE(t.closed) << id;
      EXPECT_EQ(t.error, StreamError::circuit_closed) << id;
    }
  }
  EXPECT_TRUE(c.client.failed());
  EXPECT_EQ(c.client.failure()->code, Errc::closed);
  EXPECT_FALSE(c.client.open_stream(c.now, target(80)).ok());
  EXPECT_FALSE(c.client.poll_circuit_message().has_value());
}

TEST(StreamMux, StreamLimitsAtBothEnds) {
  StreamMuxConfig client_config;
  client_config.max_streams = 4;
  StreamMuxConfig exit_config;
  exit_config.max_streams = 2;
  StreamTestCircuit c(client_config, exit_config);
  for (int i = 0; i < 4; ++i) open(c, {});
  auto fifth = c.client.open_stream(c.now, target(80));
  ASSERT_FALSE(fifth.ok());
  EXPECT_EQ(fifth.error().code, Errc::limit_exceeded);
  c.exit_app.on_incoming = [](StreamId, const StreamTarget&) {};  // keep them waiting
  ASSERT_TRUE(c.run_until([&] {
    std::size_t failed = 0;
    for (const auto& [id, t] : c.client_app.streams) failed += t.reset && t.error == StreamError::resource_limit;
    return failed == 2;
  }, kSecond));
  EXPECT_EQ(c.exit.counters().streams_refused_limit, 2u);
  EXPECT_EQ(c.exit.stream_count(), 2u);
  EXPECT_EQ(c.client.stream_count(), 2u);
  EXPECT_TRUE(c.client.open_stream(c.now, target(80)).ok());  // room again
}

TEST(StreamMux, BufferBudgetLimitsStreams) {
  StreamMuxConfig config;
  config.stream_window_bytes = 64 * 1024;
  config.stream_send_buffer_bytes = 64 * 1024;
  config.max_buffered_bytes = 3 * 128 * 1024;  // room for three streams' buffers
  StreamMux client(StreamMuxRole::client, 925, config);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.open_stream(0, target(80)).ok());
  EXPECT_EQ(client.open_stream(0, target(80)).error().code, Errc::limit_exceeded);
  EXPECT_EQ(client.buffered_bytes_bound(), 3u * 128 * 1024);
}

}  // namespace
}  // namespace zmesh::onion
