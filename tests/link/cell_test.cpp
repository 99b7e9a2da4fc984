#include <gtest/gtest.h>

#include "crypto/secure.hpp"
#include "link/cell.hpp"
#include "link_test_util.hpp"

namespace zmesh::link {
namespace {

crypto::SecretBytes test_key(std::uint8_t fill) {
  crypto::init();
  return crypto::SecretBytes::copy_of(Bytes(32, fill));
}

TEST(LinkCell, LayoutConstants) {
  EXPECT_EQ(kCellWireBytes, 1024u);
  EXPECT_EQ(kCellPlaintextBytes, 1008u);
  EXPECT_EQ(kCellPayloadBytes, 1004u);
}

TEST(LinkCell, PlaintextRoundTripsForEveryPayloadLength) {
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{500}, kCellPayloadBytes}) {
    const Bytes payload = test::pattern_bytes(length, 3);
    const CellHeader header{7, kCellFlagBegin | kCellFlagEnd, static_cast<std::uint16_t>(length)};
    const CellPlaintext plaintext = encode_cell_plaintext(header, payload);
    EXPECT_EQ(plaintext[0], 7);
    EXPECT_EQ(plaintext[2], length >> 8);
    EXPECT_EQ(plaintext[3], length & 0xff);
    auto decoded = decode_cell_plaintext(plaintext);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(decoded->header.type, 7);
    EXPECT_EQ(decoded->header.flags, kCellFlagBegin | kCellFlagEnd);
    EXPECT_EQ(Bytes(decoded->payload.begin(), decoded->payload.end()), payload);
  }
}

TEST(LinkCell, MalformedPlaintextIsRefused) {
  CellPlaintext reserved_flag = encode_cell_plaintext({2, 0, 0}, {});
  reserved_flag[1] = 0x08;
  EXPECT_EQ(decode_cell_plaintext(reserved_flag).error().code, Errc::malformed);
  CellPlaintext long_length = encode_cell_plaintext({2, 0, 0}, {});
  long_length[2] = 0x03;
  long_length[3] = 0xed;  // 1005
  EXPECT_EQ(decode_cell_plaintext(long_length).error().code, Errc::malformed);
  CellPlaintext dirty_padding = encode_cell_plaintext({2, 0, 0}, {});
  dirty_padding[kCellPlaintextBytes - 1] = 1;
  EXPECT_EQ(decode_cell_plaintext(dirty_padding).error().code, Errc::malformed);
}

TEST(LinkCell, CipherRoundTripsAndCellsLookUnrelated) {
  CellCipher sender(test_key(1), 1000), receiver(test_key(1), 1000);
  const CellPlaintext plaintext = encode_cell_plaintext({2, 3, 0}, {});
  const CellWire first = sender.seal(plaintext);
  const CellWire second = sender.seal(plaintext);
  EXPECT_NE(first, second) << "a fresh nonce per cell";
  EXPECT_EQ(*receiver.open(first), plaintext);
  EXPECT_EQ(*receiver.open(second), plaintext);
}

TEST(LinkCell, EveryTamperedByteIsRejected) {
  CellCipher sender(test_key(2), 1000);
  const CellWire wire = sender.seal(encode_cell_plaintext({2, 3, 4}, Bytes{1, 2, 3, 4}));
  for (std::size_t i = 0; i < wire.size(); ++i) {
    CellCipher receiver(test_key(2), 1000);
    CellWire bad = wire;
    bad[i] ^= 0x80;
    auto opened = receiver.open(bad);
    ASSERT_FALSE(opened.ok()) << "byte " << i;
    EXPECT_EQ(opened.error().code, Errc::verify_failed);
    EXPECT_EQ(receiver.cells_under_key(), 0u) << "a failed cell does not advance the counter";
  }
}

TEST(LinkCell, ReplayReorderAndWrongSizeAreRejected) {
  CellCipher sender(test_key(3), 1000);
  const CellPlaintext plaintext = encode_cell_plaintext({2, 3, 0}, {});
  const CellWire c0 = sender.seal(plaintext), c1 = sender.seal(plaintext);
  CellCipher replay(test_key(3), 1000);
  ASSERT_TRUE(replay.open(c0).ok());
  EXPECT_FALSE(replay.open(c0).ok());
  CellCipher reorder(test_key(3), 1000);
  EXPECT_FALSE(reorder.open(c1).ok());
  CellCipher size(test_key(3), 1000);
  EXPECT_EQ(size.open(ByteView(c0).first(1023)).error().code, Errc::malformed);
}

TEST(LinkCell, RekeyChangesTheKeyOnBothSidesAlike) {
  CellCipher sender(test_key(4), 1000), receiver(test_key(4), 1000), stale(test_key(4), 1000);
  const CellPlaintext plaintext = encode_cell_plaintext({2, 3, 0}, {});
  sender.rekey();
  receiver.rekey();
  const CellWire wire = sender.seal(plaintext);
  EXPECT_FALSE(stale.open(wire).ok()) << "the old key no longer opens cells";
  EXPECT_TRUE(receiver.open(wire).ok());
  EXPECT_EQ(receiver.epoch(), 1u);
}

TEST(LinkCell, ReceiverRefusesCellsBeyondTheKeyLimit) {
  CellCipher sender(test_key(5), 3), receiver(test_key(5), 2);
  const CellPlaintext plaintext = encode_cell_plaintext({2, 3, 0}, {});
  ASSERT_TRUE(receiver.open(sender.seal(plaintext)).ok());
  ASSERT_TRUE(receiver.open(sender.seal(plaintext)).ok());
  EXPECT_EQ(receiver.open(sender.seal(plaintext)).error().code, Errc::protocol_violation);
}

}  // namespace
}  // namespace zmesh::link
