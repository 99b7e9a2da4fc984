// Every limit of docs/protocol/descriptor.md, enforced by decode() (bytes from a peer) and by
// sign()/check_fields() (our own descriptor).
#include <gtest/gtest.h>

#include "identity/test_support.hpp"

namespace zmesh {
namespace {

using identity_test::kNow;
using identity_test::make_descriptor;
using identity_test::make_keys;

class DescriptorLimitsTest : public ::testing::Test {
 protected:
  // A descriptor whose fields were changed after signing, encoded as-is: the parser must refuse
  // it before any signature check.
  Result<NodeDescriptor> decode_modified(const NodeDescriptor& d) { return NodeDescriptor::decode(d.encode()); }

  SeededRandom random{0x11A175};
  NodeKeys keys = make_keys(random);
  NodeDescriptor descriptor = make_descriptor(keys, random);
};

void expect_refused(const Result<NodeDescriptor>& result, Errc code) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code) << result.error().describe();
}

void expect_refused(const Status& status, Errc code) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, code) << status.error().describe();
}

TEST_F(DescriptorLimitsTest, TooManyAddresses) {
  NodeDescriptor d = descriptor;
  while (d.addresses.size() <= kMaxTransportAddresses) d.addresses.push_back({TransportKind::tcp, "192.0.2.1:1"});
  expect_refused(decode_modified(d), Errc::too_large);
  expect_refused(d.sign(keys.identity, random), Errc::too_large);
  d.addresses.resize(kMaxTransportAddresses);
  EXPECT_TRUE(d.sign(keys.identity, random).ok());
  EXPECT_TRUE(NodeDescriptor::decode(d.encode()).ok());
}

TEST_F(DescriptorLimitsTest, AddressTooLongEmptyOrNotPrintable) {
  NodeDescriptor d = descriptor;
  d.addresses[0].address = std::string(kMaxTransportAddressBytes + 1, 'a');
  expect_refused(decode_modified(d), Errc::too_large);
  expect_refused(d.sign(keys.identity, random), Errc::too_large);
  d.addresses[0].address = std::string(kMaxTransportAddressBytes, 'a');
  EXPECT_TRUE(d.sign(keys.identity, random).ok());

  for (const char* bad : {"", "host name", "a\nb", "\x7f", "caf\xc3\xa9"}) {
    d.addresses[0].address = bad;
    expect_refused(decode_modified(d), Errc::malformed);
  }
  d.addresses[0] = {static_cast<TransportKind>(0), "x"};
  expect_refused(decode_modified(d), Errc::malformed);
}

TEST_F(DescriptorLimitsTest, OnionKeyCountBounds) {
  NodeDescriptor d = descriptor;
  d.onion_keys.clear();
  expect_refused(decode_modified(d), Errc::malformed);
  expect_refused(d.sign(keys.identity, random), Errc::malformed);
  d = descriptor;
  while (d.onion_keys.size() <= kMaxOnionKeys) {
    d.onion_keys.push_back(OnionKeyPair::generate(random, kNow).public_part());
  }
  expect_refused(decode_modified(d), Errc::too_large);
  expect_refused(d.sign(keys.identity, random), Errc::too_large);
}

TEST_F(DescriptorLimitsTest, SanityOfTimesAndKeys) {
  NodeDescriptor d = descriptor;
  d.expires_at = d.created_at;
  expect_refused(d.sign(keys.identity, random), Errc::malformed);
  d.expires_at = d.created_at + kMaxDescriptorLifetime + 1;
  expect_refused(d.sign(keys.identity, random), Errc::malformed);
  d.expires_at = d.created_at + kMaxDescriptorLifetime;
  EXPECT_TRUE(d.sign(keys.identity, random).ok());

  d = descriptor;
  d.onion_keys[0].valid_until = d.onion_keys[0].valid_from;
  expect_refused(d.sign(keys.identity, random), Errc::malformed);
  d.onion_keys[0].valid_until = d.onion_keys[0].valid_from + kMaxOnionKeyLifetime + 1;
  expect_refused(d.sign(keys.identity, random), Errc::malformed);
  d = descriptor;
  d.onion_keys[1] = d.onion_keys[0];
  expect_refused(d.sign(keys.identity, random), Errc::malformed);

  // A descriptor decoded from bytes with insane times is refused by verify() even though its
  // signature is valid (the signer is free to sign nonsense).
  d = descriptor;
  d.expires_at = d.created_at + kMaxDescriptorLifetime * 10;
  d.signature = crypto::hybrid_sign(keys.identity.signing, kDescriptorSignatureContext, d.signed_part(), random);
  auto decoded = NodeDescriptor::decode(d.encode());
  ASSERT_TRUE(decoded.ok());
  expect_refused(decoded->verify(kNow), Errc::malformed);
}

TEST_F(DescriptorLimitsTest, TotalSizeTrailingBytesAndVersion) {
  Bytes encoded = descriptor.encode();
  Bytes trailing = encoded;
  trailing.push_back(0);
  expect_refused(NodeDescriptor::decode(trailing), Errc::malformed);

  Bytes huge = encoded;
  huge.resize(kMaxDescriptorBytes + 1, 0);
  expect_refused(NodeDescriptor::decode(huge), Errc::too_large);

  Bytes version = encoded;
  version[0] = 2;
  expect_refused(NodeDescriptor::decode(version), Errc::malformed);
}

TEST_F(DescriptorLimitsTest, EveryTruncationIsRefused) {
  const Bytes encoded = descriptor.encode();
  for (std::size_t length = 0; length < encoded.size(); ++length) {
    auto decoded = NodeDescriptor::decode(ByteView(encoded).first(length));
    ASSERT_FALSE(decoded.ok()) << "prefix of " << length << " bytes accepted";
  }
}

TEST_F(DescriptorLimitsTest, RandomInputNeverDecodes) {
  SeededRandom garbage(7);
  for (int i = 0; i < 300; ++i) {
    Bytes input(garbage.uniform(kMaxDescriptorBytes + 64));
    garbage.fill(input);
    if (!input.empty()) input[0] = kDescriptorVersion;  // get past the first check
    EXPECT_FALSE(NodeDescriptor::decode(input).ok());
  }
}

}  // namespace
}  // namespace zmesh
