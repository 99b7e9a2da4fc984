// The heartbeat codec and service (src/health/heartbeat*.hpp) on arbitrary bytes: decoding
// never crashes; whatever decodes re-encodes to exactly the input (one encoding per message);
// and a service fed the input as a message from a neighbour and from a stranger counts it
// somewhere, answers at most one pong, and never suspects anyone for it.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "health/heartbeat.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace zmesh;
  using namespace zmesh::health;
  const ByteView input(data, size);

  auto decoded = decode_heartbeat(input);
  if (decoded.ok()) {
    const Bytes again = encode(*decoded);
    FUZZ_CHECK(again.size() == size);
    FUZZ_CHECK(Bytes(input.begin(), input.end()) == again);
  }

  SeededRandom random(1);
  HeartbeatService service({1, 2, 3}, HeartbeatConfig{}, random);
  service.on_start(0);
  service.on_timeout(service.next_deadline());
  while (service.poll_transmit()) {
  }
  const TimeUs now = 2 * kSecond;
  service.on_receive(now, 2, input);
  service.on_receive(now, 99, input);
  const auto& c = service.counters();
  FUZZ_CHECK(c.malformed + c.pings_received + c.pongs_received + c.stale_pongs + c.from_strangers == 2);
  FUZZ_CHECK(decoded.ok() || c.malformed == 2);
  int replies = 0;
  while (service.poll_transmit()) ++replies;
  FUZZ_CHECK(replies == static_cast<int>(c.pings_received));
  FUZZ_CHECK(service.suspected_count() == 0);
  return 0;
}
