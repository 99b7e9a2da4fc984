// DhtService over MemNet: real links, real signed descriptors, virtual time.
#include <gtest/gtest.h>

#include "dht/message.hpp"
#include "node/dht_mesh.hpp"
#include "node/transport_url.hpp"

namespace zmesh::node::test {
namespace {

bool has_address(const NodeDescriptor& d, const std::string& url) {
  for (const auto& a : d.addresses)
    if (a.kind == kTransportMem && a.address == url) return true;
  return false;
}

TEST(DhtService, EveryNodeFindsEveryOthersDescriptorAfterJoiningThroughOneSeed) {
  DhtMesh mesh;
  constexpr std::size_t kNodes = 8;
  ASSERT_TRUE(mesh.form(kNodes)) << mesh.net.logs(0);

  for (std::size_t from = 0; from < kNodes; ++from) {
    for (std::size_t to = 0; to < kNodes; ++to) {
      auto found = mesh.lookup(from, mesh.net.id(to));
      ASSERT_TRUE(found.ok()) << from << " -> " << to << ": " << found.error().describe();
      EXPECT_EQ(found->node_id, mesh.net.id(to));
      EXPECT_TRUE(found->verify_for(mesh.net.id(to), mesh.unix_now()).ok());
      EXPECT_TRUE(has_address(*found, "mem://n" + std::to_string(to)));
      EXPECT_TRUE(found->has(capability::relay) && found->has(capability::dht));
      EXPECT_FALSE(found->has(capability::exit));
      ASSERT_EQ(found->onion_keys.size(), 1u);
      EXPECT_EQ(found->onion_keys[0].id(), mesh.members[to]->onion_keys[0].id());
    }
  }
  for (std::size_t i = 0; i < kNodes; ++i) {
    const DhtServiceStats s = mesh.dht(i).stats();
    EXPECT_TRUE(s.joined);
    EXPECT_GT(s.routing_table_size, 0u);
    EXPECT_GT(s.records_stored, 0u);
    EXPECT_EQ(s.descriptors_found, kNodes - 1);
    EXPECT_EQ(s.descriptors_refused, 0u);
    // Every lookup filled the directory; nobody lists itself.
    const auto known = mesh.dht(i).known_descriptors(mesh.unix_now(), capability::relay);
    EXPECT_EQ(known.size(), kNodes - 1) << "node " << i;
    for (const auto& d : known) EXPECT_NE(d.node_id, mesh.net.id(i));
    EXPECT_TRUE(mesh.dht(i).known_descriptors(mesh.unix_now(), capability::exit).empty());
  }
}

TEST(DhtService, PeersDescriptorsAreFetchedWhenTheirLinksComeUp) {
  DhtMesh mesh;
  ASSERT_TRUE(mesh.form(4));
  // The seed links to everyone: its directory fills without any lookup by the test.
  ASSERT_TRUE(mesh.net.run_until_true([&] { return mesh.dht(0).known_descriptors(mesh.unix_now(), 0).size() == 3; },
                                      60 * kSecond));
  for (std::size_t i = 1; i < 4; ++i) {
    const NodeDescriptor* d = mesh.dht(0).descriptor(mesh.net.id(i), mesh.unix_now());
    ASSERT_NE(d, nullptr);
    EXPECT_TRUE(has_address(*d, "mem://n" + std::to_string(i)));
  }
  // find_descriptor answers from the cache at once (inside the call).
  bool answered = false;
  mesh.dht(0).find_descriptor(mesh.net.core_now(), mesh.net.id(2), [&](Now, Result<NodeDescriptor> r) {
    answered = true;
    EXPECT_TRUE(r.ok());
  });
  EXPECT_TRUE(answered);
  EXPECT_EQ(mesh.dht(0).descriptor(mesh.net.id(0), mesh.unix_now()), mesh.dht(0).own_descriptor());

  // The directory also learns the routing table's contacts, linked or not.
  mesh.net.run_for(static_cast<DurationUs>(2 * kMinute) * kSecond);
  for (std::size_t i = 0; i < 4; ++i) {
    const dht::RoutingTable& table = mesh.dht(i).dht()->routing_table();
    ASSERT_GT(table.size(), 0u);
    for (std::size_t b = 0; b < table.bucket_count(); ++b) {
      for (const auto& entry : table.bucket(b))
        EXPECT_NE(mesh.dht(i).descriptor(entry.contact.id, mesh.unix_now()), nullptr) << "node " << i;
    }
  }
}

TEST(DhtService, UnknownNodeIsNotFound) {
  DhtMesh mesh;
  ASSERT_TRUE(mesh.form(3));
  auto found = mesh.lookup(1, identity(7).id);  // never started
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().code, Errc::not_found);
  EXPECT_EQ(mesh.dht(1).descriptor(identity(7).id, mesh.unix_now()), nullptr);
}

TEST(DhtService, RepublishedDescriptorCarriesRotatedOnionKeyAndNewAddresses) {
  DhtMesh mesh;
  ASSERT_TRUE(mesh.form(4));
  auto before = mesh.lookup(1, mesh.net.id(3));
  ASSERT_TRUE(before.ok());

  // Rotation as the onion service will do it: add the next key, then republish.
  SeededRandom random(99);
  mesh.members[3]->onion_keys.push_back(OnionKeyPair::generate(random, mesh.unix_now()));
  ASSERT_TRUE(mesh.dht(3).republish_descriptor(mesh.net.core_now()).ok());
  mesh.net.run_for(5 * kSecond);
  for (std::size_t from : {0u, 1u, 2u}) {
    auto after = mesh.lookup(from, mesh.net.id(3));
    ASSERT_TRUE(after.ok()) << after.error().describe();
    EXPECT_GT(after->sequence, before->sequence);
    ASSERT_EQ(after->onion_keys.size(), 2u);
    ASSERT_NE(after->onion_key_at(mesh.unix_now()), nullptr);
    EXPECT_EQ(after->onion_key_at(mesh.unix_now())->id(), mesh.members[3]->onion_keys[1].id());
    // The directory keeps the newer one too.
    const NodeDescriptor* cached = mesh.dht(from).descriptor(mesh.net.id(3), mesh.unix_now());
    ASSERT_NE(cached, nullptr);
    EXPECT_EQ(cached->sequence, after->sequence);
  }

  // New listen addresses are published by themselves.
  mesh.dht(3).set_listen_urls({"mem://n3", "tcp://192.0.2.1:4433"});
  mesh.net.run_for(5 * kSecond);
  auto moved = mesh.lookup(0, mesh.net.id(3));
  ASSERT_TRUE(moved.ok());
  ASSERT_EQ(moved->addresses.size(), 2u);
  EXPECT_EQ(moved->addresses[1].address, "tcp://192.0.2.1:4433");
}

TEST(DhtService, VanishedNodeIsNotFoundOnceItsDescriptorExpires) {
  DhtMesh mesh;
  DhtServiceConfig config = DhtMesh::default_config();
  config.descriptor_lifetime = 10 * kMinute;  // republished after 5 minutes
  ASSERT_TRUE(mesh.form(5, config));
  auto alive = mesh.lookup(1, mesh.net.id(4));
  ASSERT_TRUE(alive.ok());
  const UnixSeconds expiry = alive->expires_at;

  mesh.net.crash(4);
  mesh.net.run_for(static_cast<DurationUs>(2 * kMinute) * kSecond);
  // Gone but its signed descriptor is still valid: still found (it may come back).
  EXPECT_TRUE(mesh.lookup(2, mesh.net.id(4)).ok());

  mesh.net.run_until((static_cast<TimeUs>(expiry - kMeshUnixBase) + 1) * kSecond);
  ASSERT_GT(mesh.unix_now(), expiry);
  for (std::size_t from : {0u, 1u, 2u, 3u}) {
    auto found = mesh.lookup(from, mesh.net.id(4));
    EXPECT_FALSE(found.ok()) << "node " << from << " still finds the vanished node";
    EXPECT_EQ(mesh.dht(from).descriptor(mesh.net.id(4), mesh.unix_now()), nullptr);
    for (const auto& d : mesh.dht(from).known_descriptors(mesh.unix_now(), 0)) EXPECT_NE(d.node_id, mesh.net.id(4));
  }
  // The living republished before their first descriptors expired and are still found.
  for (std::size_t to : {0u, 2u, 3u}) {
    auto found = mesh.lookup(1, mesh.net.id(to));
    ASSERT_TRUE(found.ok()) << "node " << to << ": " << found.error().describe();
    EXPECT_GT(found->expires_at, expiry);
  }
}

// A peer that speaks raw DHT messages on channel 2 (plays a hostile node).
class RawDht final : public Service {
 public:
  link::Channel channel() const override { return kChannelDht; }
  const char* name() const override { return "raw-dht"; }
  void on_attach(ServiceHost& host) override { host_ = &host; }
  void on_message(Now, const NodeId&, ByteView message) override {
    auto decoded = dht::decode_message(message);
    if (decoded.ok()) received.push_back(std::move(decoded).value());
  }
  Status send(Now now, const NodeId& to, const Bytes& message) { return host_->send(now, to, channel(), message); }
  std::vector<dht::Message> received;

 private:
  ServiceHost* host_ = nullptr;
};

TEST(DhtService, ForgedAndOversizedRecordsAreRefused) {
  DhtMesh mesh;
  ASSERT_TRUE(mesh.form(3));
  const NodeId victim = mesh.net.id(1);
  auto genuine = mesh.lookup(0, victim);
  ASSERT_TRUE(genuine.ok());

  RawDht raw;
  const auto hostile = mesh.net.add_node(6, with_peers({"mem://n0"}), {"mem://h"}, {&raw});
  mesh.net.start(hostile);
  ASSERT_TRUE(mesh.net.run_until_true([&] { return mesh.net.linked(0, hostile); }, 10 * kSecond));

  // The hostile node's own valid descriptor, to be planted under the victim's id.
  SeededRandom random(5);
  const OnionKeyPair key = OnionKeyPair::generate(random, kMeshUnixBase);
  NodeDescriptor own;
  own.created_at = mesh.unix_now();
  own.expires_at = own.created_at + kHour;
  own.sequence = genuine->sequence + 100;
  own.onion_keys = {key.public_part()};
  own.addresses = {TransportAddress{kTransportMem, "mem://h"}};
  ASSERT_TRUE(own.sign(identity(6), random).ok());

  std::vector<dht::Record> forged;
  {  // 1. someone else's descriptor under the victim's key
    dht::Record r = descriptor_record(own).value();
    r.key = victim;
    r.publisher_key.assign(victim.bytes.begin(), victim.bytes.end());
    forged.push_back(r);
  }
  {  // 2. the victim's descriptor with a changed address (signature no longer matches)
    NodeDescriptor altered = *genuine;
    altered.addresses = {TransportAddress{kTransportMem, "mem://h"}};
    altered.sequence += 100;
    dht::Record r = descriptor_record(altered).value();
    forged.push_back(r);
  }
  {  // 3. the genuine descriptor in a record claiming a newer sequence and a later expiry
    dht::Record r = descriptor_record(*genuine).value();
    r.sequence += 100;
    r.expires_at += 1;
    forged.push_back(r);
  }
  const dht::DhtStats before = mesh.dht(0).dht()->stats();
  std::uint64_t request = 1;
  for (const auto& record : forged) {
    dht::Message store;
    store.type = dht::MessageType::store;
    store.request_id = request++;
    store.sender = dht::Contact{identity(6).id, "mem://h"};
    store.records = {record};
    ASSERT_TRUE(raw.send(mesh.net.core_now(), mesh.net.id(0), dht::encode_message(store)).ok());
  }
  // 4. a record whose value exceeds kMaxRecordValueBytes (the encoder refuses to build one,
  // so it is written by hand): the message is not even decodable.
  {
    dht::Message ping;
    ping.type = dht::MessageType::ping;
    ping.request_id = request++;
    ping.sender = dht::Contact{identity(6).id, "mem://h"};
    Bytes bytes = dht::encode_message(ping);
    bytes[1] = static_cast<std::uint8_t>(dht::MessageType::store);
    const auto u16 = [&](std::size_t v) {
      bytes.push_back(static_cast<std::uint8_t>(v >> 8));
      bytes.push_back(static_cast<std::uint8_t>(v));
    };
    const std::size_t value_bytes = dht::kMaxRecordValueBytes + 1;
    u16(32 + 2 + 32 + 8 + 8 + 2 + value_bytes + 2);  // record length
    bytes.insert(bytes.end(), victim.bytes.begin(), victim.bytes.end());
    u16(32);
    bytes.insert(bytes.end(), victim.bytes.begin(), victim.bytes.end());
    bytes.insert(bytes.end(), 16, 0x7f);  // sequence, expires_at
    u16(value_bytes);
    bytes.insert(bytes.end(), value_bytes, 0x42);
    u16(0);
    ASSERT_TRUE(raw.send(mesh.net.core_now(), mesh.net.id(0), bytes).ok());
  }
  mesh.net.run_for(2 * kSecond);

  std::size_t acks = 0;
  for (const auto& m : raw.received) {
    if (m.type != dht::MessageType::store_ack) continue;
    ++acks;
    EXPECT_FALSE(m.stored) << "request " << m.request_id;
  }
  EXPECT_EQ(acks, forged.size());
  const dht::DhtStats after = mesh.dht(0).dht()->stats();
  EXPECT_EQ(after.stores_refused - before.stores_refused, forged.size());
  EXPECT_EQ(after.stores_accepted, before.stores_accepted);
  EXPECT_GE(after.rejected_malformed - before.rejected_malformed, 1u);
  EXPECT_TRUE(mesh.net.linked(0, 1));  // the node itself carries on

  // Everyone still finds the genuine descriptor.
  for (std::size_t from : {0u, 2u}) {
    auto found = mesh.lookup(from, victim);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->sequence, genuine->sequence);
    EXPECT_TRUE(has_address(*found, "mem://n1"));
  }
}

TEST(DhtService, ClientWithoutListenersJoinsAndIsFound) {
  DhtMesh mesh;
  for (std::size_t i = 0; i < 3; ++i) mesh.add(i);
  auto& member = *mesh.members.emplace_back(std::make_unique<DhtMesh::Member>());
  member.onion_keys.push_back(OnionKeyPair::generate(mesh.key_random, kMeshUnixBase));
  member.dht = std::make_unique<DhtService>(identity(5), member.onion_keys, mesh.key_random, DhtMesh::default_config());
  const auto client = mesh.net.add_node(5, with_peers({"mem://n0"}), {}, {member.dht.get()});
  mesh.start_all();
  ASSERT_TRUE(mesh.run_until_joined(60 * kSecond));
  mesh.net.run_for(5 * kSecond);
  auto found = mesh.lookup(2, mesh.net.id(client));
  ASSERT_TRUE(found.ok()) << found.error().describe();
  EXPECT_TRUE(found->addresses.empty());
  auto other = mesh.lookup(client, mesh.net.id(2));
  ASSERT_TRUE(other.ok()) << other.error().describe();
}

}  // namespace
}  // namespace zmesh::node::test
