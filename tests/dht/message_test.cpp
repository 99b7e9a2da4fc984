#include <gtest/gtest.h>

#include "dht/message.hpp"
#include "dht/sim_record_verifier.hpp"

namespace zmesh::dht {
namespace {

Contact contact(RandomSource& random, int i) {
  Contact c;
  random.fill(c.id.bytes);
  c.address = "10.0." + std::to_string(i) + ".1:4433";
  return c;
}

Message sample(MessageType type, RandomSource& random) {
  Message m;
  m.type = type;
  m.request_id = random.next_u64();
  m.sender = contact(random, 0);
  random.fill(m.target.bytes);
  if (type != MessageType::find_node && type != MessageType::find_value) m.target = NodeId{};
  if (type == MessageType::nodes || type == MessageType::value) {
    for (int i = 0; i < 20; ++i) m.contacts.push_back(contact(random, i));
  }
  if (type == MessageType::value || type == MessageType::store) {
    SimRecordVerifier v(1);
    Record r;
    random.fill(r.key.bytes);
    r.publisher_key = Bytes(32, 1);
    r.expires_at = 123;
    r.value = Bytes(kMaxRecordValueBytes, 2);
    v.sign(r);
    m.records.push_back(r);
    if (type == MessageType::value) m.records.push_back(r);
  }
  if (type == MessageType::store_ack) m.stored = true;
  return m;
}

bool same(const Message& a, const Message& b) {
  return a.type == b.type && a.request_id == b.request_id && a.sender == b.sender && a.target == b.target &&
         a.contacts == b.contacts && a.records == b.records && a.stored == b.stored;
}

TEST(DhtMessage, EveryTypeRoundTrips) {
  SeededRandom random(1);
  for (int t = 1; t <= 8; ++t) {
    const Message m = sample(static_cast<MessageType>(t), random);
    auto back = decode_message(encode_message(m));
    ASSERT_TRUE(back.ok()) << message_type_name(m.type) << ": " << back.error().describe();
    EXPECT_TRUE(same(m, *back)) << message_type_name(m.type);
  }
}

TEST(DhtMessage, EveryTruncationAndTrailingByteIsRefused) {
  SeededRandom random(2);
  for (int t = 1; t <= 8; ++t) {
    const Bytes wire = encode_message(sample(static_cast<MessageType>(t), random));
    for (std::size_t cut = 0; cut < wire.size(); cut += (wire.size() > 2000 ? 97 : 1)) {
      EXPECT_FALSE(decode_message(ByteView(wire).first(cut)).ok()) << t << " cut " << cut;
    }
    Bytes longer = wire;
    longer.push_back(0);
    EXPECT_FALSE(decode_message(longer).ok());
  }
}

TEST(DhtMessage, BoundsAreEnforced) {
  SeededRandom random(3);
  // A contact list with 21 entries (one more than k): build it by patching the count byte.
  Message m = sample(MessageType::nodes, random);
  Bytes wire = encode_message(m);
  const std::size_t count_at = 1 + 1 + 8 + 32 + 1 + m.sender.address.size();
  ASSERT_EQ(wire[count_at], 20);
  wire[count_at] = 21;
  append(wire, encode_message(sample(MessageType::nodes, random)));  // more bytes than needed
  auto r = decode_message(wire);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, Errc::too_large);

  Bytes bad_version = encode_message(sample(MessageType::ping, random));
  bad_version[0] = 2;
  EXPECT_FALSE(decode_message(bad_version).ok());
  Bytes bad_type = encode_message(sample(MessageType::ping, random));
  bad_type[1] = 9;
  EXPECT_FALSE(decode_message(bad_type).ok());
  Message control = sample(MessageType::ping, random);
  control.sender.address = "10.0.0.1\n";
  EXPECT_FALSE(decode_message(encode_message(control)).ok());
  EXPECT_EQ(decode_message(Bytes(kMaxMessageBytes + 1, 1)).error().code, Errc::too_large);
}

TEST(DhtMessage, RandomBytesNeverCrashTheDecoder) {
  SeededRandom random(4);
  for (int i = 0; i < 20000; ++i) {
    Bytes junk(random.uniform(300));
    random.fill(junk);
    if (!junk.empty()) junk[0] = kDhtWireVersion;
    if (junk.size() > 1) junk[1] = static_cast<std::uint8_t>(1 + random.uniform(8));
    (void)decode_message(junk);
  }
}

}  // namespace
}  // namespace zmesh::dht
