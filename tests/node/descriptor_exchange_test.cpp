// The descriptor exchange (channel 7): linked peers learn each other's descriptor over the link,
// without a DHT lookup, and only a peer's own, validly signed, newer descriptor is taken.
#include <gtest/gtest.h>

#include "node/dht_mesh.hpp"

namespace zmesh::node::test {
namespace {

TEST(DescriptorExchange, OffersRoundTripAndBadVersionsAreRefused) {
  DhtMesh mesh;
  ASSERT_TRUE(mesh.form(2));
  const NodeDescriptor* own = mesh.dht(1).own_descriptor();
  ASSERT_NE(own, nullptr);
  Bytes offer = encode_descriptor_offer(*own);
  auto back = decode_descriptor_offer(offer);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back->encode(), own->encode());
  offer[0] = 2;
  EXPECT_EQ(decode_descriptor_offer(offer).error().code, Errc::malformed);
  EXPECT_EQ(decode_descriptor_offer({}).error().code, Errc::malformed);
}

TEST(DescriptorExchange, LinkedPeersKnowEachOthersDescriptorBeforeAnyFetch) {
  DhtMesh mesh;
  mesh.exchange_descriptors = true;
  for (std::size_t i = 0; i < 4; ++i) mesh.add(i);
  mesh.start_all();
  // Links come up within a few round trips; the DHT's fallback fetch would wait 5 s.
  mesh.net.run_for(1 * kSecond);
  for (std::size_t i = 1; i < 4; ++i) {
    const NodeDescriptor* at_seed = mesh.dht(0).descriptor(mesh.net.id(i), mesh.unix_now());
    ASSERT_NE(at_seed, nullptr) << "node " << i;
    EXPECT_EQ(at_seed->encode(), mesh.dht(i).own_descriptor()->encode());
    EXPECT_NE(mesh.dht(i).descriptor(mesh.net.id(0), mesh.unix_now()), nullptr) << "and the other way";
  }
  EXPECT_EQ(mesh.exchange(0).counters().accepted, 3u);
  EXPECT_EQ(mesh.exchange(0).counters().sent, 3u);
  EXPECT_EQ(mesh.exchange(0).counters().refused, 0u);
  EXPECT_EQ(mesh.dht(0).stats().descriptor_finds, 0u);
}

TEST(DescriptorExchange, OnlyTheSendersOwnNewerValidDescriptorIsTaken) {
  DhtMesh mesh;
  ASSERT_TRUE(mesh.form(3));
  const NodeId& one = mesh.net.id(1);
  NodeDescriptor of_two = *mesh.dht(2).own_descriptor();
  NodeDescriptor of_one = *mesh.dht(1).own_descriptor();

  // A node that has not met node 1 yet. Node 1 passing off node 2's descriptor as its own:
  // refused, nothing cached for node 1.
  DhtMesh fresh;
  fresh.add(0);
  fresh.start_all();
  fresh.net.run_for(1 * kSecond);
  ASSERT_NE(fresh.dht(0).own_descriptor(), nullptr);
  EXPECT_EQ(fresh.dht(0).offer_descriptor(fresh.net.core_now(), one, of_two), OfferOutcome::refused);
  EXPECT_EQ(fresh.dht(0).descriptor(one, fresh.unix_now()), nullptr);

  // A tampered field breaks the signature.
  NodeDescriptor tampered = of_one;
  tampered.bandwidth_kib_per_s += 1;
  EXPECT_EQ(fresh.dht(0).offer_descriptor(fresh.net.core_now(), one, tampered), OfferOutcome::refused);
  EXPECT_EQ(fresh.dht(0).descriptor(one, fresh.unix_now()), nullptr);
  EXPECT_EQ(fresh.dht(0).stats().descriptors_refused, 2u);

  // The genuine one is taken once; the same sequence again costs no signature check.
  EXPECT_EQ(fresh.dht(0).offer_descriptor(fresh.net.core_now(), one, of_one), OfferOutcome::accepted);
  EXPECT_EQ(fresh.dht(0).offer_descriptor(fresh.net.core_now(), one, of_one), OfferOutcome::not_newer);
  EXPECT_EQ(fresh.dht(0).offer_descriptor(fresh.net.core_now(), fresh.net.id(0), *fresh.dht(0).own_descriptor()),
            OfferOutcome::refused)
      << "nobody offers us our own";
}

TEST(DescriptorExchange, OneOfferPerLinkGarbageIsCountedAndNothingIsAnswered) {
  DhtMesh mesh;
  mesh.exchange_descriptors = true;
  ASSERT_TRUE(mesh.form(2));
  DescriptorExchange& seed = mesh.exchange(0);
  const auto before = seed.counters();
  // A second offer on the same link, even a valid one, is ignored unverified.
  seed.on_message(mesh.net.core_now(), mesh.net.id(1), encode_descriptor_offer(*mesh.dht(1).own_descriptor()));
  EXPECT_EQ(seed.counters().extra_offers, before.extra_offers + 1);
  EXPECT_EQ(seed.counters().accepted, before.accepted);
  // A peer whose link carried no offer yet sends garbage: refused, counted, logged at debug only.
  const NodeId stranger = test::identity(5).id;
  seed.on_message(mesh.net.core_now(), stranger, as_bytes("not a descriptor"));
  EXPECT_EQ(seed.counters().refused, before.refused + 1);
  EXPECT_EQ(mesh.dht(0).descriptor(stranger, mesh.unix_now()), nullptr);
}

}  // namespace
}  // namespace zmesh::node::test
