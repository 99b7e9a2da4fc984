#include <gtest/gtest.h>

#include "identity/test_support.hpp"

namespace zmesh {
namespace {

using identity_test::kNow;
using identity_test::make_descriptor;
using identity_test::make_keys;

class DescriptorTest : public ::testing::Test {
 protected:
  SeededRandom random{0xD35C};
  NodeKeys keys = make_keys(random);
  NodeDescriptor descriptor = make_descriptor(keys, random);
};

TEST_F(DescriptorTest, RoundTripKeepsEveryField) {
  ASSERT_TRUE(descriptor.verify(kNow).ok()) << descriptor.verify(kNow).error().describe();
  const Bytes encoded = descriptor.encode();
  auto decoded = NodeDescriptor::decode(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_EQ(decoded->node_id, keys.identity.id);
  EXPECT_EQ(decoded->signing_key, keys.identity.signing.public_key);
  EXPECT_EQ(decoded->created_at, descriptor.created_at);
  EXPECT_EQ(decoded->expires_at, descriptor.expires_at);
  EXPECT_EQ(decoded->sequence, 7u);
  EXPECT_EQ(decoded->capabilities, descriptor.capabilities);
  EXPECT_TRUE(decoded->has(capability::exit));
  EXPECT_FALSE(decoded->has(capability::browser));
  EXPECT_EQ(decoded->bandwidth_kib_per_s, 12'500u);
  EXPECT_EQ(decoded->onion_keys, keys.onion_public_keys());
  EXPECT_EQ(decoded->addresses, descriptor.addresses);
  EXPECT_EQ(decoded->signature, descriptor.signature);
  EXPECT_EQ(decoded->encode(), encoded);
  EXPECT_TRUE(decoded->verify(kNow).ok());
  EXPECT_TRUE(decoded->verify_for(keys.identity.id, kNow + kHour).ok());
}

TEST_F(DescriptorTest, SizeMatchesTheDocumentedLayout) {
  // docs/protocol/descriptor.md: 2050 fixed bytes, 1232 per onion key, 1 count byte,
  // 2 + length per address, 3373 signature bytes.
  std::size_t expected = 2050 + 2 * 1232 + 1 + 3373;
  for (const TransportAddress& a : descriptor.addresses) expected += 2 + a.address.size();
  EXPECT_EQ(descriptor.encode().size(), expected);
  EXPECT_EQ(descriptor.signed_part().size(), expected - 3373);

  const Bytes encoded = descriptor.encode();
  auto u64_at = [&](std::size_t offset) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) v = v << 8 | encoded[offset + i];
    return v;
  };
  EXPECT_EQ(encoded[0], 1);
  EXPECT_TRUE(std::equal(keys.identity.id.bytes.begin(), keys.identity.id.bytes.end(), encoded.begin() + 1));
  EXPECT_TRUE(std::equal(keys.identity.signing.public_key.mldsa.bytes.begin(),
                         keys.identity.signing.public_key.mldsa.bytes.end(), encoded.begin() + 65));
  EXPECT_EQ(u64_at(2017), descriptor.created_at);
  EXPECT_EQ(u64_at(2033), 7u);
  EXPECT_EQ(encoded[2049], 2);
  EXPECT_EQ(u64_at(2050 + 1232 + 8), keys.onion_keys[1].valid_until);
  EXPECT_EQ(encoded[2050 + 2 * 1232], 3);
}

TEST_F(DescriptorTest, FlippingAnyBitOfAnyByteIsDetected) {
  const Bytes encoded = descriptor.encode();
  std::size_t refused_by_decode = 0;
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    Bytes tampered = encoded;
    tampered[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    auto decoded = NodeDescriptor::decode(tampered);
    if (!decoded.ok()) {
      ++refused_by_decode;
      continue;
    }
    ASSERT_FALSE(decoded->verify(kNow).ok()) << "tampered byte " << i << " was accepted";
  }
  // Most flips only the signature catches; some (version, counts, lengths, key checks) the parser.
  EXPECT_GT(refused_by_decode, 0u);
  EXPECT_LT(refused_by_decode, encoded.size());
}

TEST_F(DescriptorTest, ExpiredAndNotYetValidAreRefused) {
  EXPECT_TRUE(descriptor.verify(descriptor.expires_at - 1).ok());
  for (UnixSeconds now : {descriptor.expires_at, descriptor.expires_at + 1, descriptor.expires_at + 30 * kDay}) {
    auto status = descriptor.verify(now);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, Errc::expired);
  }
  // Within the clock-skew tolerance a fresh descriptor is accepted; beyond it, refused.
  EXPECT_TRUE(descriptor.verify(kNow - kMaxDescriptorClockSkew).ok());
  for (UnixSeconds now : {kNow - kMaxDescriptorClockSkew - 1, kNow - kDay, UnixSeconds{0}}) {
    auto status = descriptor.verify(now);
    ASSERT_FALSE(status.ok()) << now;
    EXPECT_EQ(status.error().code, Errc::expired);
    EXPECT_NE(status.error().message.find("not valid yet"), std::string::npos);
  }
}

TEST_F(DescriptorTest, NoOnionKeyValidNowIsRefused) {
  NodeDescriptor d = descriptor;
  d.onion_keys = {keys.onion_keys[1].public_part()};  // starts a day after kNow
  ASSERT_TRUE(d.sign(keys.identity, random).ok());
  auto status = d.verify(kNow);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::expired);
  // The key becomes usable kMaxDescriptorClockSkew before its valid_from (clocks disagree),
  // and the descriptor expires at kNow + kDay.
  EXPECT_FALSE(d.verify(kNow + kDay - kMaxDescriptorClockSkew - 1).ok());
  EXPECT_TRUE(d.verify(kNow + kDay - kMaxDescriptorClockSkew).ok());
  EXPECT_TRUE(d.verify(kNow + kDay - 1).ok());
}

TEST_F(DescriptorTest, NodeIdMustMatchTheSigningKeyEvenWithAValidSignature) {
  SeededRandom other_random(99);
  const NodeIdentity other = NodeIdentity::generate(other_random);
  NodeDescriptor d = descriptor;
  d.node_id = other.id;
  // Signed correctly by the key it carries, but claims someone else's NodeId.
  d.signature = crypto::hybrid_sign(keys.identity.signing, kDescriptorSignatureContext, d.signed_part(), random);
  auto status = d.verify(kNow);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::verify_failed);
  EXPECT_NE(status.error().message.find("node id"), std::string::npos);
}

TEST_F(DescriptorTest, SignatureFromAnotherKeyIsRefused) {
  SeededRandom other_random(100);
  const NodeIdentity other = NodeIdentity::generate(other_random);
  NodeDescriptor d = descriptor;
  d.signing_key = other.signing.public_key;
  d.node_id = other.id;
  auto status = d.verify(kNow);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::verify_failed);
  // And a signature made with the right key under another context is not a descriptor signature.
  NodeDescriptor wrong_context = descriptor;
  wrong_context.signature = crypto::hybrid_sign(keys.identity.signing, "zmesh/other/v1", descriptor.signed_part(), random);
  EXPECT_FALSE(wrong_context.verify(kNow).ok());
}

TEST_F(DescriptorTest, VerifyForChecksWhoseDescriptorItIs) {
  SeededRandom other_random(101);
  const NodeId other = NodeIdentity::generate(other_random).id;
  EXPECT_TRUE(descriptor.verify_for(keys.identity.id, kNow).ok());
  auto status = descriptor.verify_for(other, kNow);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::verify_failed);
}

TEST_F(DescriptorTest, OnionKeySelectionPrefersTheNewestValidKey) {
  const OnionPublicKey* current = descriptor.onion_key_at(kNow);
  ASSERT_NE(current, nullptr);
  EXPECT_EQ(current->id(), keys.onion_keys[0].id());
  const OnionPublicKey* next = descriptor.onion_key_at(kNow + kDay + 1);
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next->id(), keys.onion_keys[1].id());
  EXPECT_EQ(descriptor.onion_key_at(kNow + 60 * kDay), nullptr);
  EXPECT_EQ(descriptor.onion_key_by_id(keys.onion_keys[1].id()), &descriptor.onion_keys[1]);
  EXPECT_EQ(descriptor.onion_key_by_id(OnionKeyId{}), nullptr);
}

TEST_F(DescriptorTest, UnknownTransportKindsAndCapabilitiesArePreserved) {
  NodeDescriptor d = descriptor;
  d.addresses.push_back({static_cast<TransportKind>(200), "future:thing"});
  d.capabilities |= 1u << 31;
  ASSERT_TRUE(d.sign(keys.identity, random).ok());
  auto decoded = NodeDescriptor::decode(d.encode());
  ASSERT_TRUE(decoded.ok()) << decoded.error().describe();
  EXPECT_TRUE(decoded->verify(kNow).ok());
  EXPECT_FALSE(is_known_transport(decoded->addresses.back().kind));
  EXPECT_STREQ(transport_kind_name(decoded->addresses.back().kind), "unknown");
  EXPECT_EQ(decoded->encode(), d.encode());
}

}  // namespace
}  // namespace zmesh
