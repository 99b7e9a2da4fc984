// The node's DHT service (src/node/dht_service.*) fed arbitrary bytes as a DHT message from a
// linked peer: it never crashes, everything it sends decodes, and it stores a record only if
// the record is a descriptor record bound to its key (node/descriptor_record.hpp) — the
// verifier of descriptor records is the new parser here; the message codec has its own target.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "crypto/secure.hpp"
#include "dht/message.hpp"
#include "fuzz_check.hpp"
#include "node/dht_service.hpp"
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
    SeededRandom random(11);
    us = NodeIdentity::generate(random);
    peer = NodeIdentity::generate(random);
    onion.push_back(OnionKeyPair::generate(random, kUnixBase));
  }
  NodeIdentity us, peer;
  std::vector<OnionKeyPair> onion;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

dht::Message header(dht::MessageType type) {
  dht::Message m;
  m.type = type;
  m.request_id = 42;
  m.sender = dht::Contact{fixture().peer.id, "tcp://127.0.0.1:4433"};
  return m;
}

void write_service_seeds(const char* dir) {
  Fixture& f = fixture();
  SeededRandom random(12);
  OwnDescriptorParams params;
  params.listen_urls = {"tcp://127.0.0.1:4433"};
  params.now = kUnixBase + 10;
  params.sequence = 1;
  const NodeDescriptor d = build_own_descriptor(f.peer, f.onion, params, random).value();
  dht::Message store = header(dht::MessageType::store);
  store.records = {descriptor_record(d).value()};
  fuzz::write_seed(dir, "store_descriptor", dht::encode_message(store));
  dht::Message find = header(dht::MessageType::find_value);
  find.target = f.us.id;
  fuzz::write_seed(dir, "find_value", dht::encode_message(find));
  fuzz::write_seed(dir, "ping", dht::encode_message(header(dht::MessageType::ping)));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_service_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Fixture& f = fixture();
  const ByteView input(data, size);
  SeededRandom random(13);
  DhtServiceConfig config;
  fuzz::RecordingHost host;
  host.self = f.us.id;
  DhtService service(f.us, f.onion, random, config);
  service.set_listen_urls({"tcp://127.0.0.1:1"});
  service.on_attach(host);
  const Now now{100 * kSecond, (static_cast<TimeUs>(kUnixBase) + 100) * kSecond};
  service.on_message(now, f.peer.id, input);

  for (const auto& bytes : host.sent) FUZZ_CHECK(dht::decode_message(bytes).ok());
  const dht::DhtStats& stats = service.dht()->stats();
  if (stats.stores_accepted > 0) {
    auto message = dht::decode_message(input);
    FUZZ_CHECK(message.ok() && message->type == dht::MessageType::store);
    auto descriptor = descriptor_in_record(message->records.front());
    FUZZ_CHECK(descriptor.ok() && descriptor->node_id == message->records.front().key);
    FUZZ_CHECK(NodeId::of(descriptor->signing_key) == descriptor->node_id);
  }
  FUZZ_CHECK(service.known_descriptors(now.unix_seconds(), 0).empty());  // a STORE never fills the directory
  return 0;
}
