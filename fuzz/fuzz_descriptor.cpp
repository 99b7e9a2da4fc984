// NodeDescriptor::decode and verify on arbitrary bytes: never crash, and a descriptor that
// decodes re-encodes to exactly the input (the format is canonical: a signature covers one
// byte string only). Seeds: ZMESH_FUZZ_WRITE_SEEDS=DIR writes a minimal and a maximal valid
// descriptor (see seed_writer.hpp).
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crypto/secure.hpp"
#include "fuzz_check.hpp"
#include "identity/descriptor.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;

constexpr UnixSeconds kSeedTime = 1'750'000'000;

void write_descriptor_seeds(const char* dir) {
  SeededRandom random(1);
  NodeKeys keys = NodeKeys::generate(random, kSeedTime);
  NodeDescriptor minimal;
  minimal.created_at = kSeedTime;
  minimal.expires_at = kSeedTime + kDefaultDescriptorLifetime;
  minimal.onion_keys = keys.onion_public_keys();
  if (!minimal.sign(keys.identity, random).ok()) std::abort();
  fuzz::write_seed(dir, "minimal", minimal.encode());

  NodeDescriptor full = minimal;
  full.sequence = 0x0102030405060708;
  full.capabilities = capability::relay | capability::dht | capability::exit | capability::signaling;
  full.bandwidth_kib_per_s = 100'000;
  while (full.onion_keys.size() < kMaxOnionKeys) {
    full.onion_keys.push_back(OnionKeyPair::generate(random, kSeedTime + full.onion_keys.size() * kDay).public_part());
  }
  const TransportKind kinds[] = {TransportKind::tcp, TransportKind::ws, TransportKind::wss, TransportKind::webrtc,
                                 TransportKind::quic};
  for (std::size_t i = 0; i < kMaxTransportAddresses; ++i) {
    full.addresses.push_back({kinds[i % 5], "host" + std::to_string(i) + ".example:443"});
  }
  if (!full.sign(keys.identity, random).ok()) std::abort();
  fuzz::write_seed(dir, "full", full.encode());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  crypto::init();
  fuzz::write_seeds_if_asked(write_descriptor_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  auto decoded = NodeDescriptor::decode(input);
  if (!decoded.ok()) return 0;
  const NodeDescriptor& d = *decoded;
  const Bytes reencoded = d.encode();
  FUZZ_CHECK(reencoded.size() == size && std::memcmp(reencoded.data(), data, size) == 0);
  FUZZ_CHECK(d.onion_keys.size() >= 1 && d.onion_keys.size() <= kMaxOnionKeys);
  FUZZ_CHECK(d.addresses.size() <= kMaxTransportAddresses);
  // Verification at several instants, including the edges of every window (unsigned
  // arithmetic near 0 and 2^64 must not wrap into acceptance).
  for (UnixSeconds now : {UnixSeconds{0}, d.created_at, d.created_at + 1, d.expires_at - 1, d.expires_at,
                          ~UnixSeconds{0}}) {
    auto verified = d.verify(now);
    if (verified.ok()) {
      FUZZ_CHECK(now < d.expires_at);
      FUZZ_CHECK(d.onion_key_at(now) != nullptr);
    }
  }
  for (const OnionPublicKey& key : d.onion_keys) FUZZ_CHECK(d.onion_key_by_id(key.id()) != nullptr);
  return 0;
}
