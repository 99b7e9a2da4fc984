// The node's health service (src/node/health_service.hpp) on arbitrary bytes: the input is cut
// into messages (first byte: length, second: which of three peers sends it; two peers are
// tracked, one is not) delivered between heartbeat rounds. Whatever arrives: every message is
// counted exactly once, only pings are answered (with their echo), the peers tracked stay
// tracked and bounded, suspicions and recoveries add up, and a garbage message changes nothing
// but the malformed counter.
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "health/heartbeat_message.hpp"
#include "node/health_service.hpp"
#include "recording_host.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::node;
using health::HeartbeatMessage;
using health::HeartbeatType;

void write_health_seeds(const char* dir) {
  auto framed = [](std::uint8_t sender, const Bytes& message) {
    Bytes out{static_cast<std::uint8_t>(message.size()), sender};
    out.insert(out.end(), message.begin(), message.end());
    return out;
  };
  fuzz::write_seed(dir, "ping", framed(0, health::encode(HeartbeatMessage{HeartbeatType::ping, 7, 123})));
  // The pong of the first round as the target below runs it: sequence 1, sent at its time.
  SeededRandom random(1);
  HealthService service(random);
  service.on_peer_up(Now{1 * kSecond, 1 * kSecond}, PeerInfo{});
  const TimeUs first_round = service.next_deadline();
  fuzz::write_seed(dir, "pong", framed(1, health::encode(HeartbeatMessage{HeartbeatType::pong, 1, first_round})));
  fuzz::write_seed(dir, "garbage", framed(2, Bytes{1, 3, 0, 0}));
}

NodeId peer_id(std::uint8_t which) {
  NodeId id;
  id.bytes.fill(static_cast<std::uint8_t>(0x10 + which));
  return id;
}

std::uint64_t handled(const HealthCounters& c) {
  return c.malformed + c.pings_received + c.pongs_received + c.stale_pongs + c.from_untracked;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_health_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::RecordingHost host;
  SeededRandom random(1);
  HealthConfig config;
  config.max_peers = 2;
  HealthService service(random, config);
  service.on_attach(host);
  for (std::uint8_t p = 0; p < 3; ++p) service.on_peer_up(Now{1 * kSecond, 1 * kSecond}, PeerInfo{peer_id(p), "mem", Direction::inbound, ""});
  FUZZ_CHECK(service.tracked_peers() == 2 && service.counters().peers_not_tracked == 1);

  const ByteView input(data, size);
  std::size_t at = 0;
  std::uint64_t messages = 0;
  while (at + 2 <= input.size()) {
    const std::size_t length = input[at];
    const std::uint8_t sender = input[at + 1] % 3;
    at += 2;
    const ByteView message = input.subspan(at, std::min(length, input.size() - at));
    at += message.size();
    // A round before every few messages, so pongs can match a round in flight.
    if (messages % 4 == 0) service.on_timeout(Now{service.next_deadline(), service.next_deadline()});
    const Now now{service.next_deadline() - 1, service.next_deadline() - 1};

    const HealthCounters before = service.counters();
    const std::size_t sent_before = host.sent.size();
    service.on_message(now, peer_id(sender), message);
    ++messages;
    const HealthCounters& after = service.counters();
    FUZZ_CHECK(handled(after) == handled(before) + 1);
    auto decoded = health::decode_heartbeat(message);
    if (!decoded.ok()) {
      HealthCounters expected = before;
      ++expected.malformed;
      FUZZ_CHECK(after == expected);
      FUZZ_CHECK(host.sent.size() == sent_before);
      continue;
    }
    if (decoded->type == HeartbeatType::ping) {
      FUZZ_CHECK(host.sent.size() == sent_before + 1);
      FUZZ_CHECK(host.sent.back() == health::encode(HeartbeatMessage{HeartbeatType::pong, decoded->sequence, decoded->sent_at}));
    } else {
      FUZZ_CHECK(host.sent.size() == sent_before);
    }
    FUZZ_CHECK(after.suspicions - after.recoveries == service.suspected_count());
  }
  FUZZ_CHECK(service.tracked_peers() == 2);
  const auto peers = service.peers(service.next_deadline());
  FUZZ_CHECK(peers.size() == 2);
  for (const auto& p : peers) FUZZ_CHECK(p.srtt_us >= 0 && p.jitter_us >= 0 && p.phi >= 0);
  return 0;
}
