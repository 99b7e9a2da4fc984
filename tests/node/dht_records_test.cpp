// Descriptor records, their verifier, the node's own descriptor, the cache, transport URLs.
#include <gtest/gtest.h>

#include "node/descriptor_cache.hpp"
#include "node/descriptor_record.hpp"
#include "node/mem_net.hpp"
#include "node/own_descriptor.hpp"
#include "node/transport_url.hpp"

namespace zmesh::node::test {
namespace {

constexpr UnixSeconds kNow = 1'800'000'000;

struct Keys {
  Keys() { onion.push_back(OnionKeyPair::generate(random, kNow - kHour)); }
  SeededRandom random{21};
  std::vector<OnionKeyPair> onion;
};

OwnDescriptorParams params(std::vector<std::string> urls = {"tcp://127.0.0.1:4433", "ws://127.0.0.1:80/zmesh"}) {
  OwnDescriptorParams p;
  p.listen_urls = std::move(urls);
  p.capabilities = capability::relay | capability::dht;
  p.now = kNow;
  p.lifetime = kDay;
  p.sequence = 7;
  return p;
}

TEST(TransportUrl, UrlsMapToKindsAndBack) {
  auto tcp = transport_address_from_url("tcp://127.0.0.1:4433");
  ASSERT_TRUE(tcp.ok());
  EXPECT_EQ(tcp->kind, TransportKind::tcp);
  EXPECT_EQ(dial_url(*tcp), "tcp://127.0.0.1:4433");
  EXPECT_EQ(transport_address_from_url("ws://h:1/p")->kind, TransportKind::ws);
  EXPECT_EQ(transport_address_from_url("mem://a")->kind, kTransportMem);
  EXPECT_EQ(dial_url(TransportAddress{TransportKind::tcp, "198.51.100.7:4433"}), "tcp://198.51.100.7:4433");
  // A tcp address may not carry another scheme, unknown kinds have no dialer.
  EXPECT_EQ(dial_url(TransportAddress{TransportKind::tcp, "ws://h:1/p"}), "");
  EXPECT_EQ(dial_url(TransportAddress{static_cast<TransportKind>(77), "x"}), "");
  EXPECT_FALSE(transport_address_from_url("gopher://h:70").ok());
  EXPECT_FALSE(transport_address_from_url("127.0.0.1:4433").ok());
  EXPECT_FALSE(transport_address_from_url("tcp://").ok());
  EXPECT_FALSE(transport_address_from_url("tcp://a b").ok());
  EXPECT_TRUE(is_advertisable_url("tcp://127.0.0.1:1"));
  EXPECT_FALSE(is_advertisable_url("tcp://0.0.0.0:1"));
  EXPECT_FALSE(is_advertisable_url("ws://[::]:1/z"));
  EXPECT_FALSE(is_advertisable_url("udp://h:1"));
}

TEST(OwnDescriptor, IsSignedFitsARecordAndVerifies) {
  Keys keys;
  auto d = build_own_descriptor(identity(0), keys.onion, params(), keys.random);
  ASSERT_TRUE(d.ok()) << d.error().describe();
  EXPECT_TRUE(d->verify_for(identity(0).id, kNow).ok());
  EXPECT_EQ(d->sequence, 7u);
  EXPECT_EQ(d->expires_at, kNow + kDay);
  ASSERT_EQ(d->addresses.size(), 2u);
  EXPECT_EQ(d->addresses[1].kind, TransportKind::ws);
  auto record = descriptor_record(*d);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->key, identity(0).id);
  EXPECT_EQ(record->value, d->encode());
  EXPECT_TRUE(DescriptorRecordVerifier().verify(*record).ok());
  EXPECT_TRUE(dht::validate_record(*record, kNow, 3 * kDay, DescriptorRecordVerifier()).ok());
}

TEST(OwnDescriptor, KeepsTheKeyInUseAndDropsOldOnesToFit) {
  Keys keys;
  // Four keys: the oldest (expired), the one in use, and two future ones.
  keys.onion.insert(keys.onion.begin(), OnionKeyPair::generate(keys.random, kNow - 10 * kDay));
  keys.onion.push_back(OnionKeyPair::generate(keys.random, kNow + kDay));
  keys.onion.push_back(OnionKeyPair::generate(keys.random, kNow + 2 * kDay));
  auto d = build_own_descriptor(identity(0), keys.onion, params(), keys.random);
  ASSERT_TRUE(d.ok()) << d.error().describe();
  EXPECT_LE(d->encode().size(), dht::kMaxRecordValueBytes);
  ASSERT_EQ(d->onion_keys.size(), 2u);  // two 1232-byte keys fit, three do not
  ASSERT_NE(d->onion_key_at(kNow), nullptr);
  EXPECT_EQ(d->onion_key_at(kNow)->id(), keys.onion[1].id());
  EXPECT_EQ(d->onion_keys[0].id(), keys.onion[3].id());  // the newest next
}

TEST(OwnDescriptor, ExpiresWithItsLastOnionKeyAndNeedsAUsableOne) {
  Keys keys;
  OwnDescriptorParams p = params();
  p.now = keys.onion[0].valid_until - kHour;
  auto d = build_own_descriptor(identity(0), keys.onion, p, keys.random);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->expires_at, keys.onion[0].valid_until);
  p.now = keys.onion[0].valid_until;
  auto none = build_own_descriptor(identity(0), keys.onion, p, keys.random);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code, Errc::expired);
  std::vector<std::string> many;
  for (int i = 0; i < 9; ++i) many.push_back("tcp://127.0.0.1:" + std::to_string(1000 + i));
  EXPECT_FALSE(build_own_descriptor(identity(0), keys.onion, params(many), keys.random).ok());
  // Unknown schemes are left out rather than refused.
  auto skipped = build_own_descriptor(identity(0), keys.onion,
                                      params({"udp://x:1", "tcp://0.0.0.0:3", "ws://[::]:4/z", "tcp://h:2"}), keys.random);
  ASSERT_TRUE(skipped.ok());
  EXPECT_EQ(skipped->addresses.size(), 1u);
}

TEST(DescriptorRecordVerifier, RefusesEveryRecordNotBoundToItsSignedDescriptor) {
  Keys keys;
  const NodeDescriptor d = build_own_descriptor(identity(0), keys.onion, params(), keys.random).value();
  const dht::Record good = descriptor_record(d).value();
  const DescriptorRecordVerifier verifier;
  ASSERT_TRUE(verifier.verify(good).ok());

  auto refused = [&](dht::Record r, const char* what) {
    EXPECT_FALSE(verifier.verify(r).ok()) << what;
  };
  dht::Record r = good;
  r.key = identity(1).id;
  refused(r, "another key");
  r = good;
  r.key = identity(1).id;
  r.publisher_key.assign(identity(1).id.bytes.begin(), identity(1).id.bytes.end());
  refused(r, "another key and publisher");
  r = good;
  r.sequence += 1;
  refused(r, "sequence not the descriptor's");
  r = good;
  r.expires_at += 1;
  refused(r, "expiry not the descriptor's");
  r = good;
  r.signature = {1, 2, 3};
  refused(r, "a record signature");
  r = good;
  r.publisher_key = identity(0).signing.public_key.encode();
  refused(r, "publisher key not the id");
  r = good;
  r.value[100] ^= 1;  // inside the signing key
  refused(r, "altered key");
  r = good;
  r.value[r.value.size() - 10] ^= 1;
  refused(r, "altered signature");
  r = good;
  r.value.resize(r.value.size() - 1);
  refused(r, "truncated");
  r = good;
  r.value = {1, 2, 3};
  refused(r, "not a descriptor");

  // A descriptor signed by node 1 but claiming node 0's id.
  NodeDescriptor impostor = d;
  ASSERT_TRUE(impostor.sign(identity(1), keys.random).ok());
  impostor.node_id = identity(0).id;
  r = good;
  r.value = impostor.encode();
  refused(r, "impostor");
}

TEST(DescriptorCache, KeepsTheNewestBoundedAndUnexpired) {
  Keys keys;
  auto make = [&](std::size_t who, std::uint64_t sequence, UnixSeconds lifetime) {
    OwnDescriptorParams p = params();
    p.sequence = sequence;
    p.lifetime = lifetime;
    return build_own_descriptor(identity(who), keys.onion, p, keys.random).value();
  };
  DescriptorCache cache(2);
  EXPECT_TRUE(cache.insert(make(0, 5, kHour), kNow));
  EXPECT_FALSE(cache.insert(make(0, 4, kDay), kNow));  // older sequence
  EXPECT_FALSE(cache.insert(make(0, 5, kDay), kNow));  // same sequence
  EXPECT_TRUE(cache.insert(make(0, 6, 2 * kHour), kNow));
  EXPECT_EQ(cache.find(identity(0).id, kNow)->sequence, 6u);
  EXPECT_TRUE(cache.insert(make(1, 1, kDay), kNow));
  // Full: a newcomer expiring later evicts the soonest to expire (node 0); one expiring sooner is refused.
  EXPECT_FALSE(cache.insert(make(2, 1, kHour), kNow));
  EXPECT_TRUE(cache.insert(make(2, 1, 3 * kHour), kNow));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find(identity(0).id, kNow), nullptr);
  EXPECT_EQ(cache.matching(kNow, capability::relay, 10).size(), 2u);
  EXPECT_EQ(cache.matching(kNow, capability::relay, 1).size(), 1u);
  EXPECT_TRUE(cache.matching(kNow, capability::exit, 10).empty());
  EXPECT_EQ(cache.find(identity(2).id, kNow + 3 * kHour), nullptr);  // expired
  cache.drop_expired(kNow + 3 * kHour);
  EXPECT_EQ(cache.size(), 1u);
}

// Caches holding the same descriptor share one copy (shared_descriptors.hpp); a different
// descriptor of the same node never does, and a copy dropped by every holder can come back.
TEST(DescriptorCache, HoldersOfTheSameDescriptorShareOneCopy) {
  Keys keys;
  OwnDescriptorParams p = params();
  p.sequence = 7;
  const NodeDescriptor d = build_own_descriptor(identity(0), keys.onion, p, keys.random).value();
  p.sequence = 8;
  const NodeDescriptor newer = build_own_descriptor(identity(0), keys.onion, p, keys.random).value();
  const NodeId& id = identity(0).id;
  {
    DescriptorCache a(4), b(4), c(4);
    ASSERT_TRUE(a.insert(d, kNow));
    ASSERT_TRUE(b.insert(d, kNow));
    ASSERT_TRUE(c.insert(newer, kNow));
    EXPECT_EQ(a.find(id, kNow), b.find(id, kNow)) << "one copy for both holders";
    EXPECT_NE(a.find(id, kNow), c.find(id, kNow));
    EXPECT_EQ(c.find(id, kNow)->sequence, 8u);
    EXPECT_EQ(a.find(id, kNow)->encode(), d.encode());
  }
  DescriptorCache again(4);  // every earlier holder is gone
  ASSERT_TRUE(again.insert(d, kNow));
  EXPECT_EQ(again.find(id, kNow)->encode(), d.encode());
}

}  // namespace
}  // namespace zmesh::node::test
