// The descriptor exchange (src/node/descriptor_exchange.*, link channel 7) fed arbitrary bytes
// as a linked peer's offer: it never crashes, it caches a descriptor only if that descriptor is
// the sender's own and passes verify_for (fuzzed bytes carry no valid signature, so: never, except
// the seed holding a genuine one), it answers nothing, and a second offer on the link is ignored.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "crypto/secure.hpp"
#include "fuzz_check.hpp"
#include "node/descriptor_exchange.hpp"
#include "node/own_descriptor.hpp"
#include "recording_host.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::node;

constexpr UnixSeconds kUnixBase = 1'800'000'000;

struct Fixture {
  Fixture() {
    crypto::init();
    SeededRandom random(21);
    us = NodeIdentity::generate(random);
    peer = NodeIdentity::generate(random);
    onion.push_back(OnionKeyPair::generate(random, kUnixBase));
    OwnDescriptorParams params;
    params.listen_urls = {"tcp://127.0.0.1:4433"};
    params.now = kUnixBase + 10;
    params.sequence = 1;
    genuine = build_own_descriptor(peer, onion, params, random).value();
  }
  NodeIdentity us, peer;
  std::vector<OnionKeyPair> onion;
  NodeDescriptor genuine;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void write_exchange_seeds(const char* dir) {
  fuzz::write_seed(dir, "genuine_offer", encode_descriptor_offer(fixture().genuine));
  fuzz::write_seed(dir, "empty", Bytes{});
  fuzz::write_seed(dir, "version_only", Bytes{kDescriptorExchangeVersion});
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_exchange_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  const ByteView input(data, size);
  SeededRandom random(22);
  fuzz::RecordingHost host;
  host.self = f.us.id;
  DhtService dht(f.us, f.onion, random, DhtServiceConfig{});
  dht.on_attach(host);
  DescriptorExchange exchange(dht);
  exchange.on_attach(host);
  const Now now{100 * kSecond, (static_cast<TimeUs>(kUnixBase) + 100) * kSecond};

  exchange.on_message(now, f.peer.id, input);
  const DescriptorExchangeCounters& c = exchange.counters();
  FUZZ_CHECK(c.accepted + c.not_newer + c.refused == 1);
  const NodeDescriptor* cached = dht.descriptor(f.peer.id, now.unix_seconds());
  FUZZ_CHECK((cached != nullptr) == (c.accepted == 1));
  if (cached != nullptr) FUZZ_CHECK(cached->verify_for(f.peer.id, now.unix_seconds()).ok());
  FUZZ_CHECK(host.sent.empty());  // an offer is never answered

  exchange.on_message(now, f.peer.id, input);
  FUZZ_CHECK(exchange.counters().extra_offers == 1);
  return 0;
}
