// The Sphinx setup header (src/onion/sphinx.hpp) at a hop, on arbitrary and on edited input.
// The first input byte picks the mode:
//   even: the rest, cut or zero-padded to 3450 bytes, is a header for the hop's key; it must be
//         refused unless it is exactly the valid header built at start-up (a forged MAC would
//         be a bug), and a header that opens must unwrap to the right successor.
//   odd:  the rest is a list of edits (u16be offset, u8 xor mask) applied to the valid header;
//         whenever the result differs from the valid header it must be refused.
// Seeds (ZMESH_FUZZ_WRITE_SEEDS=DIR): the valid header, and single-bit edits in each field.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fuzz_check.hpp"
#include "onion/sphinx.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::onion;

struct Fixture {
  NodeId hop_id, next_id, last_id;
  OnionKeyPair hop_key, next_key, last_key;
  Bytes header;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    crypto::init();
    SeededRandom random(11);
    Fixture x;
    random.fill(x.hop_id.bytes);
    random.fill(x.next_id.bytes);
    random.fill(x.last_id.bytes);
    x.hop_key = OnionKeyPair::generate(random, 1000);
    x.next_key = OnionKeyPair::generate(random, 1000);
    x.last_key = OnionKeyPair::generate(random, 1000);
    const SetupHop path[] = {SetupHop::from_descriptor(x.hop_id, x.hop_key.public_part()),
                             SetupHop::from_descriptor(x.next_id, x.next_key.public_part()),
                             SetupHop::from_descriptor(x.last_id, x.last_key.public_part())};
    auto built = build_setup_header(path, random);
    if (!built) std::abort();
    x.header = built->header;
    return x;
  }();
  return f;
}

// Returns whether the header opened (and checks what it unwraps to).
bool process(const Bytes& header) {
  const Fixture& f = fixture();
  auto opened = open_setup_header(f.hop_key, header);
  if (!opened) return false;
  Bytes routing(kRoutingBytes), next(kSetupHeaderBytes);
  auto routing_result = unwrap_setup_header(*opened, header, routing, next);
  FUZZ_CHECK(routing_result.ok());
  FUZZ_CHECK(!routing_result->final);
  FUZZ_CHECK(routing_result->next == f.next_id);
  FUZZ_CHECK(open_setup_header(f.next_key, next).ok());
  return true;
}

void write_setup_seeds(const char* dir) {
  const Fixture& f = fixture();
  Bytes raw{0};
  append(raw, f.header);
  fuzz::write_seed(dir, "valid", raw);
  const std::size_t offsets[] = {kKeyIdOffset, kAlphaOffset + 31, kKemOffset + 500, kBetaOffset, kBetaOffset + kSlotBytes, kMacOffset + 15};
  for (std::size_t offset : offsets) {
    const Bytes edit = {1, static_cast<std::uint8_t>(offset >> 8), static_cast<std::uint8_t>(offset), 0x80};
    fuzz::write_seed(dir, "edit-" + std::to_string(offset), edit);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fixture();
  fuzz::write_seeds_if_asked(write_setup_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Fixture& f = fixture();
  if (data[0] % 2 == 0) {
    Bytes header(kSetupHeaderBytes, 0);
    std::memcpy(header.data(), data + 1, std::min(size - 1, header.size()));
    const bool opened = process(header);
    FUZZ_CHECK(opened == (header == f.header));
    return 0;
  }
  Bytes header = f.header;
  for (std::size_t i = 1; i + 3 <= size; i += 3) {
    const std::size_t offset = (static_cast<std::size_t>(data[i]) << 8 | data[i + 1]) % kSetupHeaderBytes;
    header[offset] ^= data[i + 2];
  }
  const bool opened = process(header);
  FUZZ_CHECK(opened == (header == f.header));
  return 0;
}
