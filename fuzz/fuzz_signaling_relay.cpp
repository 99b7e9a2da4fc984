// WebRTC signaling relayed on link channel 4 (src/node/signaling_relay.*) on arbitrary bytes:
// decoding never crashes and re-encodes to exactly the input; a relay fed the input as a
// message from a neighbour either passes it on as one `deliver` with the same session and
// payload, answers `unreachable`, keeps it for polling, or counts it, and its queue stays bounded.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.hpp"
#include "node/signaling_relay.hpp"
#include "recording_host.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::node;

using fuzz::RecordingHost;

NodeId id_of(std::uint8_t fill) {
  NodeId id;
  id.bytes.fill(fill);
  return id;
}

void write_relay_seeds(const char* dir) {
  const auto offer = as_bytes(R"({"type":"offer","sdp":"v=0\r\n"})");
  fuzz::write_seed(dir, "forward", encode_relay_message(RelayKind::forward, id_of(3), 7, offer));
  fuzz::write_seed(dir, "forward_to_self", encode_relay_message(RelayKind::forward, id_of(1), 7, offer));
  fuzz::write_seed(dir, "deliver", encode_relay_message(RelayKind::deliver, id_of(3), 7, offer));
  fuzz::write_seed(dir, "unreachable", encode_relay_message(RelayKind::unreachable, id_of(3), 7, {}));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_relay_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  auto decoded = decode_relay_message(input);
  if (decoded.ok()) {
    const Bytes again = encode_relay_message(decoded->kind, decoded->peer, decoded->session, decoded->payload);
    FUZZ_CHECK(Bytes(input.begin(), input.end()) == again);
  }
  for (bool refuse : {false, true}) {
    RecordingHost host;
    host.self = id_of(1);
    host.refuse = refuse;
    SignalingRelay relay(SignalingRelayConfig{{20.0, 100.0, 16}, 4});
    relay.on_attach(host);
    const NodeId neighbour = id_of(2);
    for (int i = 0; i < 6; ++i) relay.on_message(Now{1000 + i, 1000 + i}, neighbour, input);
    std::size_t pending = 0;
    while (auto signal = relay.poll()) {
      ++pending;
      FUZZ_CHECK(decoded.ok() && signal->via == neighbour && signal->session == decoded->session);
    }
    FUZZ_CHECK(pending <= 4);
    for (const Bytes& sent : host.sent) {
      auto out = decode_relay_message(sent);
      FUZZ_CHECK(out.ok() && decoded.ok() && out->session == decoded->session);
      FUZZ_CHECK(out->kind == RelayKind::deliver ? out->peer == neighbour && out->payload.size() == decoded->payload.size()
                                                 : out->kind == RelayKind::unreachable);
    }
  }
  return 0;
}
