// DCEP (RFC 8832) on arbitrary bytes: never crash, and a message that decodes re-encodes to
// exactly the input (one byte string per message). Seeds: ZMESH_FUZZ_WRITE_SEEDS=DIR.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "io/webrtc/dcep.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::io::webrtc;

void write_dcep_seeds(const char* dir) {
  DcepOpen open;
  open.label = "zmesh";
  open.protocol = "zmesh.link.v1";
  fuzz::write_seed(dir, "open_reliable", encode_dcep(open));
  open.channel_type = ChannelType::partial_reliable_rexmit_unordered;
  open.reliability_parameter = 2;
  fuzz::write_seed(dir, "open_unordered_rexmit", encode_dcep(open));
  open.channel_type = ChannelType::partial_reliable_timed;
  open.reliability_parameter = 500;
  fuzz::write_seed(dir, "open_timed", encode_dcep(open));
  fuzz::write_seed(dir, "ack", encode_dcep(DcepAck{}));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_dcep_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  auto decoded = decode_dcep(input);
  if (decoded.ok()) {
    const Bytes again = std::visit([](const auto& m) { return encode_dcep(m); }, decoded.value());
    FUZZ_CHECK(Bytes(input.begin(), input.end()) == again);
  }
  return 0;
}
