#include "crypto/hash.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace zmesh::crypto {
namespace {

using test::hex;
using test::to_bytes;

// Expected values computed with Python's hashlib (an independent BLAKE2/SHA-3
// implementation); the keyed BLAKE2b-512 one is the first entry of the BLAKE2 KAT file.
TEST(Blake2b, KnownAnswers) {
  EXPECT_EQ(to_hex(blake2b_256({})), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  EXPECT_EQ(to_hex(blake2b_256(as_bytes("abc"))), "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
}

TEST(Blake2b, KeyedKnownAnswers) {
  Bytes key(64);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  EXPECT_EQ(to_hex(blake2b_keyed(key, {}, 64)),
            "10ebb67700b1868efb4417987acf4690ae9d972fb7a590c2f02871799aaa4786"
            "b5e996e8f0f4eb981fc214b005f42d2ff4233499391653df7aefcbc13fc51568");
  const Bytes data = hex("00010203040506070809");
  EXPECT_EQ(to_hex(blake2b_keyed(ByteView(key).first(16), data, 16)), "9cbd85c00c59fd73a1769e644607b6f3");
}

TEST(Blake2b, IncrementalMatchesOneShot) {
  Bytes data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 7);
  for (std::size_t split : {std::size_t{0}, std::size_t{1}, std::size_t{127}, std::size_t{128}, std::size_t{999}}) {
    Blake2b256 h;
    h.update(ByteView(data).first(split)).update(ByteView(data).subspan(split));
    EXPECT_EQ(h.finish(), blake2b_256(data)) << split;
  }
}

TEST(Sha3, KnownAnswers) {
  EXPECT_EQ(to_hex(sha3_256({})), "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
  EXPECT_EQ(to_hex(sha3_256(as_bytes("abc"))), "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
}

Bytes counting_key(std::size_t size) {
  Bytes key(size);
  for (std::size_t i = 0; i < size; ++i) key[i] = static_cast<std::uint8_t>(i);
  return key;
}

// Pins the construction documented in docs/crypto.md; expected values from a Python
// transcription of that text using hashlib.blake2b.
TEST(DeriveKey, MatchesDocumentedConstruction) {
  EXPECT_EQ(to_hex(derive_key(counting_key(32), "zmesh/test/v1", 32).view()),
            "8605d5bd790718381c0b71851ac615036ea129ba01f9515e5c653030c4a8cf9f");
  EXPECT_EQ(to_hex(derive_key(counting_key(32), "zmesh/test/v1", 100).view()),
            "decb4e48393d02f3674aa852bfedbdf12042d16cbce22ab1639b36356f6b6728"
            "74069e2b9878b9311ad79fdc76dee837e033bf5e47d49ef8295665037b5ebda7"
            "b33783de90af3a6863532654a4b0ffc0539f16b58dcdad4fd9b310c79c2ee639"
            "6c04614a");
  // Input keys longer than 64 bytes are hashed first.
  EXPECT_EQ(to_hex(derive_key(counting_key(100), "", 16).view()), "8b78f418ca972fea87ee314d09b06d3e");
}

TEST(DeriveKey, SeparatesPurposesAndLengths) {
  const Bytes ikm = counting_key(32);
  const Bytes a = to_bytes(derive_key(ikm, "zmesh/a", 32));
  EXPECT_EQ(a, to_bytes(derive_key(ikm, "zmesh/a", 32)));
  EXPECT_NE(a, to_bytes(derive_key(ikm, "zmesh/b", 32)));
  // A shorter request is not a prefix of a longer one (the length is an input).
  const Bytes longer = to_bytes(derive_key(ikm, "zmesh/a", 64));
  EXPECT_NE(a, Bytes(longer.begin(), longer.begin() + 32));
  Bytes other_ikm = ikm;
  other_ikm[0] ^= 1;
  EXPECT_NE(a, to_bytes(derive_key(other_ikm, "zmesh/a", 32)));
  EXPECT_EQ(derive_key(ikm, "zmesh/a", 1000).size(), 1000u);
}

}  // namespace
}  // namespace zmesh::crypto
