// The text a signaling peer controls, on arbitrary bytes: the SDP subset parser, ICE candidate
// lines and the JSON signaling envelope (src/io/webrtc/). Never crash; whatever parses writes
// back to text that parses to the same value (one meaning per description); a signaling
// message that decodes re-encodes to an equal message. Seeds: ZMESH_FUZZ_WRITE_SEEDS=DIR.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"
#include "io/webrtc/sdp.hpp"
#include "io/webrtc/signal_message.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::io::webrtc;

SdpDescription sample_description() {
  SdpDescription d;
  d.session_id = "4611731400430051336";
  d.bundle = true;
  d.ice_ufrag = "J7T9";
  d.ice_pwd = "wQl4ggkUlpKfJtw0P+eRj7Mr";
  for (std::size_t i = 0; i < d.fingerprint.sha256.size(); ++i) d.fingerprint.sha256[i] = static_cast<std::uint8_t>(i * 7);
  d.max_message_size = 262144;
  IceCandidate host;
  host.foundation = "1";
  host.priority = 2130706431;
  host.address = "127.0.0.1";
  host.port = 50000;
  host.extensions = {{"generation", "0"}};
  IceCandidate relay = host;
  relay.foundation = "2";
  relay.type = CandidateType::relay;
  relay.priority = 16777215;
  relay.related_address = "127.0.0.1";
  relay.related_port = 40000;
  d.candidates = {host, relay};
  return d;
}

void write_sdp_seeds(const char* dir) {
  SdpDescription d = sample_description();
  fuzz::write_seed(dir, "offer.sdp", as_bytes(write_sdp(d)));
  d.setup = DtlsSetup::active;
  d.candidates.clear();
  d.end_of_candidates = true;
  fuzz::write_seed(dir, "answer.sdp", as_bytes(write_sdp(d)));
  fuzz::write_seed(dir, "offer.json", as_bytes(encode_signal(SignalMessage::description(SignalType::offer, write_sdp(d)))));
  fuzz::write_seed(dir, "candidate.json",
                   as_bytes(encode_signal(SignalMessage::ice_candidate(format_candidate(sample_description().candidates[1]), "0"))));
  fuzz::write_seed(dir, "candidate.txt", as_bytes(format_candidate(sample_description().candidates[1])));
  fuzz::write_seed(dir, "request.json", as_bytes(encode_signal(SignalMessage::request_offer())));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_sdp_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView bytes(data, size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  auto sdp = parse_sdp(text);
  if (sdp.ok()) {
    auto again = parse_sdp(write_sdp(sdp.value()));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again.value() == sdp.value());
  }
  auto candidate = parse_candidate(text);
  if (candidate.ok()) {
    auto again = parse_candidate(format_candidate(candidate.value()));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again.value() == candidate.value());
  }
  auto signal = decode_signal(bytes);
  if (signal.ok()) {
    auto again = decode_signal(as_bytes(encode_signal(signal.value())));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again.value() == signal.value());
  }
  return 0;
}
