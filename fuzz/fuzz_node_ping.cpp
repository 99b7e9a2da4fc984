// The ping/echo codec and service (src/node/ping_*.hpp) on arbitrary bytes: decoding never
// crashes; whatever decodes re-encodes to exactly the input; a service fed the input as a
// message answers a request with exactly its echo, and counts anything else, never
// completing a ping it did not send.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.hpp"
#include "node/ping_service.hpp"
#include "recording_host.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::node;

using fuzz::RecordingHost;

void write_ping_seeds(const char* dir) {
  fuzz::write_seed(dir, "request", encode_ping(PingKind::request, 1, as_bytes("hello")));
  fuzz::write_seed(dir, "reply", encode_ping(PingKind::reply, 1, as_bytes("hello")));
  fuzz::write_seed(dir, "empty_request", encode_ping(PingKind::request, 0xffffffffffffffff, {}));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_ping_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  auto decoded = decode_ping(input);
  if (decoded.ok()) {
    const Bytes again = encode_ping(decoded->kind, decoded->id, decoded->payload);
    FUZZ_CHECK(Bytes(input.begin(), input.end()) == again);
  }

  RecordingHost host;
  PingService service;
  service.on_attach(host);
  NodeId peer;
  peer.bytes.fill(7);
  auto mine = service.ping(Now{}, peer, as_bytes("probe"));  // id 1 is outstanding
  FUZZ_CHECK(mine.ok() && host.sent.size() == 1);
  service.on_message(Now{10, 10}, peer, input);
  const auto& c = service.counters();
  FUZZ_CHECK(c.malformed + c.requests_answered + c.replies_received + c.replies_unexpected == 1);
  FUZZ_CHECK(decoded.ok() || c.malformed == 1);
  if (decoded.ok() && decoded->kind == PingKind::request) {
    FUZZ_CHECK(host.sent.size() == 2);
    FUZZ_CHECK(host.sent[1] == encode_ping(PingKind::reply, decoded->id, decoded->payload));
  } else {
    FUZZ_CHECK(host.sent.size() == 1);
  }
  auto result = service.poll_result();
  if (result) {
    FUZZ_CHECK(c.replies_received == 1 && result->id == mine.value());
    const bool intact = decoded->payload.size() == 5 && std::equal(decoded->payload.begin(), decoded->payload.end(),
                                                                    as_bytes("probe").begin());
    FUZZ_CHECK((result->status == PingStatus::ok) == intact);
  } else {
    FUZZ_CHECK(service.outstanding() == 1);
  }
  return 0;
}
