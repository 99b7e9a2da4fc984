// The heartbeat service driven by hand (no simulator): its codec, its replies, its
// suspicion rule, and its refusal of garbage and stale pongs.
#include <gtest/gtest.h>

#include "health/heartbeat.hpp"

namespace zmesh::health {
namespace {

TEST(HeartbeatMessage, RoundTripsManyRandomMessages) {
  SeededRandom r(5);
  for (int i = 0; i < 1000; ++i) {
    HeartbeatMessage m{r.uniform(2) ? HeartbeatType::ping : HeartbeatType::pong, static_cast<std::uint32_t>(r.next_u64()),
                       static_cast<TimeUs>(r.next_u64() >> 1)};
    Bytes wire = encode(m);
    ASSERT_EQ(wire.size(), HeartbeatMessage::kEncodedBytes);
    auto back = decode_heartbeat(wire);
    ASSERT_TRUE(back.ok()) << back.error().describe();
    EXPECT_EQ(*back, m);
  }
}

TEST(HeartbeatMessage, RejectsEveryTruncationAndBadField) {
  const Bytes good = encode(HeartbeatMessage{HeartbeatType::pong, 7, 123456});
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = decode_heartbeat(ByteView(good).first(n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, Errc::truncated);
  }
  Bytes longer = good;
  longer.push_back(0);
  EXPECT_EQ(decode_heartbeat(longer).error().code, Errc::malformed);
  Bytes version = good;
  version[0] = 2;
  EXPECT_EQ(decode_heartbeat(version).error().code, Errc::malformed);
  for (std::uint8_t type : {0, 3, 255}) {
    Bytes bad = good;
    bad[1] = type;
    EXPECT_EQ(decode_heartbeat(bad).error().code, Errc::malformed);
  }
  Bytes future = good;
  future[6] = 0x80;  // sent_at above INT64_MAX
  EXPECT_EQ(decode_heartbeat(future).error().code, Errc::malformed);
}

std::vector<Transmit> drain(HeartbeatService& s) {
  std::vector<Transmit> out;
  while (auto t = s.poll_transmit()) out.push_back(std::move(*t));
  return out;
}

struct Driven {
  Driven() : service({30, 10, 20, 10}, config(), random) {}
  static HeartbeatConfig config() {
    HeartbeatConfig c;
    c.interval = 1 * kSecond;
    c.suspect_after_missed = 2;
    return c;
  }
  // Starts and runs to the first tick; returns its time.
  TimeUs first_tick() {
    service.on_start(0);
    TimeUs t = service.next_deadline();
    EXPECT_GE(t, 0);
    EXPECT_LT(t, 1 * kSecond);
    service.on_timeout(t);
    return t;
  }
  SeededRandom random{1};
  HeartbeatService service;
};

TEST(HeartbeatService, PingsEveryNeighbourOnceAWayAndDeduplicates) {
  Driven d;
  TimeUs t = d.first_tick();
  auto sent = drain(d.service);
  ASSERT_EQ(sent.size(), 3u);  // 10 was listed twice
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].to, (std::vector<PeerHandle>{10, 20, 30})[i]);
    auto m = decode_heartbeat(sent[i].payload);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->type, HeartbeatType::ping);
    EXPECT_EQ(m->sent_at, t);
  }
  EXPECT_EQ(d.service.next_deadline(), t + 1 * kSecond);
}

TEST(HeartbeatService, AnswersPingsWithAnEchoingPong) {
  Driven d;
  d.service.on_start(0);
  d.service.on_receive(500, 99, encode(HeartbeatMessage{HeartbeatType::ping, 41, 77}));
  auto sent = drain(d.service);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].to, 99u);
  EXPECT_EQ(*decode_heartbeat(sent[0].payload), (HeartbeatMessage{HeartbeatType::pong, 41, 77}));
  EXPECT_EQ(d.service.counters().pongs_sent, 1u);
}

TEST(HeartbeatService, MeasuresRttAndSuspectsAfterMissedIntervals) {
  Driven d;
  TimeUs t = d.first_tick();
  auto pings = drain(d.service);
  // 10 and 20 answer after 40 ms; 30 never does.
  for (const auto& p : pings) {
    if (p.to == 30) continue;
    auto m = *decode_heartbeat(p.payload);
    d.service.on_receive(t + 40 * kMillisecond, p.to, encode(HeartbeatMessage{HeartbeatType::pong, m.sequence, m.sent_at}));
  }
  EXPECT_EQ(d.service.neighbour(10)->last_rtt_us(), 40 * kMillisecond);
  EXPECT_EQ(d.service.neighbour(20)->srtt_us(), 40 * kMillisecond);
  d.service.on_timeout(t + 1 * kSecond);  // 30 missed one interval
  EXPECT_FALSE(d.service.is_suspected(30));
  d.service.on_timeout(t + 2 * kSecond);  // two: suspected; 10 and 20 missed only one
  EXPECT_TRUE(d.service.is_suspected(30));
  EXPECT_FALSE(d.service.is_suspected(10));
  EXPECT_EQ(d.service.suspected_count(), 1u);
  EXPECT_EQ(d.service.counters().suspicions, 1u);
  // Any ping from 30 clears the suspicion at once.
  d.service.on_receive(t + 2 * kSecond + 1, 30, encode(HeartbeatMessage{HeartbeatType::ping, 1, 0}));
  EXPECT_FALSE(d.service.is_suspected(30));
  EXPECT_EQ(d.service.counters().recoveries, 1u);
}

TEST(HeartbeatService, StaleForgedAndForeignPongsDoNotCount) {
  Driven d;
  TimeUs t = d.first_tick();
  drain(d.service);
  // A pong for a round we never sent, one echoing a future time, one from a stranger.
  d.service.on_receive(t + 1, 10, encode(HeartbeatMessage{HeartbeatType::pong, 999, t}));
  d.service.on_receive(t + 1, 10, encode(HeartbeatMessage{HeartbeatType::pong, 1, t + 5 * kSecond}));
  d.service.on_receive(t + 1, 55, encode(HeartbeatMessage{HeartbeatType::pong, 1, t}));
  EXPECT_EQ(d.service.counters().stale_pongs, 2u);
  EXPECT_EQ(d.service.counters().from_strangers, 1u);
  EXPECT_EQ(d.service.counters().pongs_received, 0u);
  EXPECT_EQ(d.service.neighbour(10)->last_heard_at(), -1);
}

TEST(HeartbeatService, RandomGarbageIsCountedNeverFatal) {
  Driven d;
  d.first_tick();
  SeededRandom r(77);
  for (int i = 0; i < 5000; ++i) {
    Bytes junk(r.uniform(32));
    r.fill(junk);
    d.service.on_receive(2 * kSecond, r.uniform(40), junk);
  }
  const auto& c = d.service.counters();
  // Everything was either rejected or handled as a valid message, nothing crashed.
  EXPECT_EQ(c.malformed + c.pings_received + c.pongs_received + c.stale_pongs + c.from_strangers, 5000u);
  EXPECT_GT(c.malformed, 4900u);
}

}  // namespace
}  // namespace zmesh::health
