#include "crypto/aead.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace zmesh::crypto {
namespace {

using test::flipped;
using test::hex;

SecretBytes test_key(std::uint8_t first) {
  SecretBytes key(kAeadKeyBytes);
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(first + i);
  return key;
}

Bytes seal(const SecretBytes& key, ByteView nonce, ByteView ad, ByteView plaintext) {
  Bytes out(plaintext.size() + kAeadTagBytes);
  chacha20poly1305_seal(key, nonce, ad, plaintext, out);
  return out;
}

// RFC 8439 §2.8.2: the AEAD_CHACHA20_POLY1305 example.
TEST(ChaCha20Poly1305, Rfc8439Vector) {
  const SecretBytes key = test_key(0x80);
  const Bytes nonce = hex("070000004041424344454647");
  const Bytes ad = hex("50515253c0c1c2c3c4c5c6c7");
  const std::string_view text =
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be "
      "it.";
  const Bytes sealed = seal(key, nonce, ad, as_bytes(text));
  EXPECT_EQ(to_hex(ByteView(sealed).first(16)), "d31a8d34648e60db7b86afbc53ef7ec2");
  EXPECT_EQ(to_hex(ByteView(sealed).last(16)), "1ae10b594f09e26a7e902ecbd0600691");
}

TEST(ChaCha20Poly1305, RoundTripInPlaceAndEmpty) {
  const SecretBytes key = test_key(1);
  const auto nonce = counter_nonce(7);
  Bytes buffer(300 + kAeadTagBytes);
  for (std::size_t i = 0; i < 300; ++i) buffer[i] = static_cast<std::uint8_t>(i);
  const Bytes plaintext(buffer.begin(), buffer.begin() + 300);
  chacha20poly1305_seal(key, nonce, as_bytes("ad"), ByteView(buffer).first(300), buffer);  // in place
  EXPECT_NE(Bytes(buffer.begin(), buffer.begin() + 300), plaintext);
  ASSERT_TRUE(chacha20poly1305_open(key, nonce, as_bytes("ad"), buffer, MutableByteView(buffer).first(300)).ok());
  EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + 300), plaintext);

  const Bytes empty_sealed = seal(key, nonce, {}, {});
  ASSERT_EQ(empty_sealed.size(), kAeadTagBytes);
  EXPECT_TRUE(chacha20poly1305_open(key, nonce, {}, empty_sealed, {}).ok());
}

// Every single-byte change of ciphertext, tag or associated data must be rejected.
TEST(ChaCha20Poly1305, TamperingAnyByteIsRejected) {
  const SecretBytes key = test_key(2);
  const auto nonce = counter_nonce(1);
  Bytes plaintext(1024);
  for (std::size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<std::uint8_t>(i * 31);
  const Bytes ad = test::bytes_of("cell header");
  const Bytes sealed = seal(key, nonce, ad, plaintext);
  Bytes out(plaintext.size());
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto status = chacha20poly1305_open(key, nonce, ad, flipped(sealed, i, 0x80), out);
    ASSERT_FALSE(status.ok()) << "ciphertext/tag byte " << i;
    EXPECT_EQ(status.error().code, Errc::verify_failed);
  }
  for (std::size_t i = 0; i < ad.size(); ++i) {
    ASSERT_FALSE(chacha20poly1305_open(key, nonce, flipped(ad, i), sealed, out).ok()) << "ad byte " << i;
  }
  EXPECT_FALSE(chacha20poly1305_open(key, counter_nonce(2), ad, sealed, out).ok());
  EXPECT_FALSE(chacha20poly1305_open(test_key(3), nonce, ad, sealed, out).ok());
  EXPECT_FALSE(chacha20poly1305_open(key, nonce, {}, sealed, out).ok());
  ASSERT_TRUE(chacha20poly1305_open(key, nonce, ad, sealed, out).ok());
  EXPECT_EQ(out, plaintext);
}

TEST(ChaCha20Poly1305, BadSizesAreErrors) {
  const SecretBytes key = test_key(4);
  const auto nonce = counter_nonce(0);
  Bytes out(16);
  auto short_ct = chacha20poly1305_open(key, nonce, {}, Bytes(15), out);
  ASSERT_FALSE(short_ct.ok());
  EXPECT_EQ(short_ct.error().code, Errc::truncated);
  auto bad_nonce = chacha20poly1305_open(key, Bytes(11), {}, Bytes(32), out);
  ASSERT_FALSE(bad_nonce.ok());
  EXPECT_EQ(bad_nonce.error().code, Errc::invalid_argument);
  auto bad_key = chacha20poly1305_open(SecretBytes(16), nonce, {}, Bytes(32), out);
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error().code, Errc::invalid_argument);
  auto bad_out = chacha20poly1305_open(key, nonce, {}, Bytes(32), MutableByteView(out).first(15));
  ASSERT_FALSE(bad_out.ok());
  EXPECT_EQ(bad_out.error().code, Errc::invalid_argument);
}

TEST(CounterNonce, BigEndianInLastEightBytes) {
  EXPECT_EQ(to_hex(counter_nonce(0x0102030405060708ULL)), "000000000102030405060708");
  EXPECT_EQ(to_hex(counter_nonce(0)), "000000000000000000000000");
}

TEST(XChaCha20Poly1305, RoundTripAndTamper) {
  const SecretBytes key = test_key(5);
  SeededRandom random(9);
  const auto nonce = random.array<kXChaChaNonceBytes>();
  const Bytes plaintext = test::bytes_of("a secret descriptor");
  const Bytes sealed = xchacha20poly1305_seal(key, nonce, as_bytes("ad"), plaintext);
  ASSERT_EQ(sealed.size(), plaintext.size() + kAeadTagBytes);
  auto opened = xchacha20poly1305_open(key, nonce, as_bytes("ad"), sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, plaintext);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto bad = xchacha20poly1305_open(key, nonce, as_bytes("ad"), flipped(sealed, i));
    ASSERT_FALSE(bad.ok()) << i;
    EXPECT_EQ(bad.error().code, Errc::verify_failed);
  }
  EXPECT_FALSE(xchacha20poly1305_open(key, nonce, as_bytes("AD"), sealed).ok());
  EXPECT_FALSE(xchacha20poly1305_open(test_key(6), nonce, as_bytes("ad"), sealed).ok());
  auto bad_nonce = xchacha20poly1305_open(key, ByteView(nonce).first(12), as_bytes("ad"), sealed);
  ASSERT_FALSE(bad_nonce.ok());
  EXPECT_EQ(bad_nonce.error().code, Errc::invalid_argument);
}

// The AEAD's ciphertext is the ChaCha20 keystream from block 1 (RFC 8439 §2.8), so the raw
// stream and the AEAD must agree; and XOR twice is the identity.
TEST(ChaCha20Xor, MatchesAeadKeystreamAndInverts) {
  const SecretBytes key = test_key(7);
  const auto nonce = counter_nonce(99);
  Bytes plaintext(1024);
  for (std::size_t i = 0; i < plaintext.size(); ++i) plaintext[i] = static_cast<std::uint8_t>(i);
  const Bytes sealed = seal(key, nonce, {}, plaintext);
  Bytes stream(plaintext.size());
  chacha20_xor(key, nonce, 1, plaintext, stream);
  EXPECT_EQ(stream, Bytes(sealed.begin(), sealed.begin() + 1024));
  Bytes back(plaintext.size());
  chacha20_xor(key, nonce, 1, stream, back);
  EXPECT_EQ(back, plaintext);
  // Starting at block 2 equals skipping the first 64 bytes of the block-1 stream.
  Bytes from_block2(plaintext.size() - 64);
  chacha20_xor(key, nonce, 2, ByteView(plaintext).subspan(64), from_block2);
  EXPECT_EQ(from_block2, Bytes(stream.begin() + 64, stream.end()));
}

}  // namespace
}  // namespace zmesh::crypto
