// keyfile::decode on arbitrary bytes. The BLAKE2b checksum would stop almost every mutated
// input at the door, so inputs that start with the magic get their checksum recomputed first:
// the fuzzer then explores the parser and the consistency checks behind it. Never crash;
// anything that decodes must re-encode to the same bytes.
// Seeds: ZMESH_FUZZ_WRITE_SEEDS=DIR writes a valid key file with one and with two onion keys.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crypto/hash.hpp"
#include "fuzz_check.hpp"
#include "identity/keyfile.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;

constexpr std::size_t kChecksumBytes = 32;

void write_keyfile_seeds(const char* dir) {
  SeededRandom random(2);
  NodeKeys keys = NodeKeys::generate(random, 1'750'000'000);
  fuzz::write_seed(dir, "one_onion_key", keyfile::encode(keys).view());
  keys.onion_keys.push_back(OnionKeyPair::generate(random, 1'750'000'000 + kDay));
  fuzz::write_seed(dir, "two_onion_keys", keyfile::encode(keys).view());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  crypto::init();
  fuzz::write_seeds_if_asked(write_keyfile_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes file(data, data + size);
  if (size >= 8 + kChecksumBytes && std::memcmp(data, "ZMESHKEY", 8) == 0) {
    const crypto::Hash256 sum = crypto::blake2b_256(ByteView(file).first(size - kChecksumBytes));
    std::memcpy(file.data() + size - kChecksumBytes, sum.data(), kChecksumBytes);
  }
  SeededRandom random(3);  // drives the sign/encapsulate self-tests only
  auto keys = keyfile::decode(file, random);
  if (!keys.ok()) return 0;
  const crypto::SecretBytes reencoded = keyfile::encode(*keys);
  FUZZ_CHECK(crypto::constant_time_equal(reencoded.view(), file));
  return 0;
}
