// Relay message codec (relay_message.hpp): round trips at every size, strict decoding.
#include <gtest/gtest.h>

#include "onion/relay_message.hpp"
#include "runtime/random.hpp"

namespace zmesh::onion {
namespace {

TEST(RelayMessage, RoundTripsEveryPayloadSize) {
  SeededRandom random(1);
  for (std::size_t size = 0; size <= kMaxRelayPayloadBytes; size += (size < 16 ? 1 : 37)) {
    Bytes payload(size);
    random.fill(payload);
    ByteArray<kRelayMessageRegionBytes> region;
    region.fill(0xee);
    encode_relay_message(RelayMessageType::data, payload, region);
    auto decoded = decode_relay_message(region);
    ASSERT_TRUE(decoded.ok()) << size << ": " << decoded.error().describe();
    EXPECT_EQ(decoded->type, RelayMessageType::data);
    EXPECT_EQ(Bytes(decoded->payload.begin(), decoded->payload.end()), payload);
  }
  Bytes largest(kMaxRelayPayloadBytes, 0x5a);
  ByteArray<kRelayMessageRegionBytes> region;
  encode_relay_message(RelayMessageType::data, largest, region);
  EXPECT_EQ(decode_relay_message(region)->payload.size(), 925u);
}

TEST(RelayMessage, RefusesBadTypesLengthsAndPadding) {
  ByteArray<kRelayMessageRegionBytes> region;
  const Bytes payload = {1, 2, 3};
  encode_relay_message(RelayMessageType::data, payload, region);
  auto tampered = region;
  tampered[0] = 3;
  EXPECT_EQ(decode_relay_message(tampered).error().code, Errc::malformed);
  tampered = region;
  tampered[1] = 0x04;  // length 0x0403 > 925
  EXPECT_EQ(decode_relay_message(tampered).error().code, Errc::too_large);
  tampered = region;
  tampered[2] = 2;  // a payload byte becomes padding and is not zero
  EXPECT_EQ(decode_relay_message(tampered).error().code, Errc::malformed);
  tampered = region;
  tampered.back() = 1;
  EXPECT_EQ(decode_relay_message(tampered).error().code, Errc::malformed);
  tampered = region;
  tampered[0] = static_cast<std::uint8_t>(RelayMessageType::ready);  // READY carries nothing
  EXPECT_EQ(decode_relay_message(tampered).error().code, Errc::malformed);
  EXPECT_EQ(decode_relay_message(ByteView(region).first(100)).error().code, Errc::malformed);

  encode_relay_message(RelayMessageType::padding, {}, region);
  auto padding = decode_relay_message(region);
  ASSERT_TRUE(padding.ok());
  EXPECT_EQ(padding->type, RelayMessageType::padding);
  EXPECT_TRUE(padding->payload.empty());
}

}  // namespace
}  // namespace zmesh::onion
