// The DHT message decoder and a DHT core's on_receive on arbitrary bytes: never crash, a
// message that decodes re-encodes to exactly the input (one byte string per message), and a
// node fed garbage keeps its bounds. The node has a join in flight, so responses can match a
// pending request (its request ids come from a fixed seed, which libFuzzer's comparison
// tracing can learn). Seeds: ZMESH_FUZZ_WRITE_SEEDS=DIR writes one message of each type.
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "dht/dht_node.hpp"
#include "dht/sim_record_verifier.hpp"
#include "fuzz_check.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::dht;

class AnyBook final : public AddressBook {
 public:
  std::optional<PeerHandle> resolve(const Contact& c) override { return PeerHandle{c.id.bytes[0]}; }
  std::optional<NodeId> authenticated_id(PeerHandle) const override { return std::nullopt; }
};

Contact contact(std::uint8_t tag) {
  Contact c;
  c.id.bytes.fill(tag);
  c.address = "10.0.0." + std::to_string(tag);
  return c;
}

void write_dht_seeds(const char* dir) {
  const SimRecordVerifier verifier(1);
  Record record;
  record.key = contact(9).id;
  record.publisher_key = Bytes(32, 3);
  record.expires_at = 1000;
  record.value = Bytes{1, 2, 3};
  verifier.sign(record);
  for (int t = 1; t <= 8; ++t) {
    Message m;
    m.type = static_cast<MessageType>(t);
    m.request_id = 42;
    m.sender = contact(7);
    if (m.type == MessageType::find_node || m.type == MessageType::find_value) m.target = contact(9).id;
    if (m.type == MessageType::nodes || m.type == MessageType::value) m.contacts = {contact(1), contact(2)};
    if (m.type == MessageType::value || m.type == MessageType::store) m.records = {record};
    m.stored = m.type == MessageType::store_ack;
    fuzz::write_seed(dir, message_type_name(m.type), encode_message(m));
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_dht_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const ByteView input(data, size);
  auto decoded = decode_message(input);
  if (decoded.ok()) {
    const Bytes again = encode_message(*decoded);
    FUZZ_CHECK(again.size() == size && std::memcmp(again.data(), data, size) == 0);
    FUZZ_CHECK(decoded->contacts.size() <= kMaxContactsPerMessage);
    FUZZ_CHECK(decoded->records.size() <= kMaxRecordsPerMessage);
  }

  SeededRandom random(5);
  AnyBook book;
  const SimRecordVerifier verifier(1);
  DhtConfig config;
  config.outbox_messages = 64;
  DhtNode node(contact(200), config, random, book, verifier);
  node.on_start(Now{0, 0});
  (void)node.join(Now{0, 0}, {contact(7), contact(8)});
  while (node.poll_transmit()) {
  }
  node.on_receive(Now{1, 1}, 7, input);
  node.on_receive(Now{2, 2}, 7, input);  // the same bytes twice: duplicates must be harmless
  node.on_timeout(Now{node.next_deadline(), node.next_deadline()});
  std::size_t sent = 0;
  while (node.poll_transmit()) ++sent;
  FUZZ_CHECK(sent <= config.outbox_messages);
  FUZZ_CHECK(node.pending_requests() <= config.max_pending_requests);
  FUZZ_CHECK(node.record_store().size() <= config.store.max_records);
  return 0;
}
