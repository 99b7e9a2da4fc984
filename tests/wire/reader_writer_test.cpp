#include <gtest/gtest.h>

#include "runtime/random.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::wire {
namespace {

TEST(Wire, IntegersAreBigEndianAndRoundTrip) {
  Writer w;
  w.u8(0xab).u16(0x1234).u32(0xdeadbeef).u64(0x0102030405060708ull);
  const Bytes out = w.take();
  ASSERT_EQ(out.size(), 15u);
  EXPECT_EQ(out[1], 0x12);
  EXPECT_EQ(out[2], 0x34);
  EXPECT_EQ(out[7], 0x01);
  Reader r(out);
  EXPECT_EQ(*r.u8(), 0xab);
  EXPECT_EQ(*r.u16(), 0x1234);
  EXPECT_EQ(*r.u32(), 0xdeadbeefu);
  EXPECT_EQ(*r.u64(), 0x0102030405060708ull);
  EXPECT_TRUE(r.expect_end("test").ok());
}

TEST(Wire, TruncatedReadFailsAndDoesNotAdvance) {
  const Bytes in = {0x01, 0x02, 0x03};
  Reader r(in);
  auto v = r.u32();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, Errc::truncated);
  EXPECT_EQ(r.offset(), 0u);
  EXPECT_EQ(*r.u16(), 0x0102);
}

TEST(Wire, LengthPrefixAboveLimitIsRefused) {
  Writer w;
  w.bytes_u16(Bytes(100, 7));
  const Bytes out = w.take();
  Reader limited(out);
  auto refused = limited.bytes_u16(99);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::too_large);
  EXPECT_EQ(limited.offset(), 0u);
  Reader r(out);
  EXPECT_EQ(r.bytes_u16(100)->size(), 100u);
}

TEST(Wire, LengthPrefixLongerThanInputIsTruncated) {
  const Bytes in = {0x00, 0x05, 1, 2, 3};
  Reader r(in);
  auto v = r.bytes_u16();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, Errc::truncated);
}

TEST(Wire, TrailingBytesAreAnError) {
  const Bytes in = {0x00, 0x01};
  Reader r(in);
  ASSERT_TRUE(r.u8().ok());
  EXPECT_EQ(r.expect_end("msg").error().code, Errc::malformed);
}

// Property: any sequence of fields written with random values reads back identically,
// and every strict prefix of the encoding fails to decode the whole sequence.
TEST(Wire, RandomRoundTripsAndPrefixesFail) {
  SeededRandom rng(42);
  for (int round = 0; round < 200; ++round) {
    Writer w;
    std::vector<std::pair<int, std::uint64_t>> fields;
    std::vector<Bytes> blobs;
    const int count = 1 + static_cast<int>(rng.uniform(8));
    for (int i = 0; i < count; ++i) {
      int kind = static_cast<int>(rng.uniform(4));
      std::uint64_t v = rng.next_u64();
      if (kind == 0) { w.u8(static_cast<std::uint8_t>(v)); v &= 0xff; }
      if (kind == 1) { w.u32(static_cast<std::uint32_t>(v)); v &= 0xffffffff; }
      if (kind == 2) w.u64(v);
      if (kind == 3) {
        Bytes blob(rng.uniform(40));
        rng.fill(blob);
        w.bytes_u16(blob);
        blobs.push_back(blob);
        v = blobs.size() - 1;
      }
      fields.emplace_back(kind, v);
    }
    const Bytes encoded = w.take();
    auto decode_all = [&](ByteView input) -> bool {
      Reader r(input);
      for (auto [kind, v] : fields) {
        if (kind == 0) { auto x = r.u8(); if (!x.ok()) return false; EXPECT_EQ(*x, v); }
        if (kind == 1) { auto x = r.u32(); if (!x.ok()) return false; EXPECT_EQ(*x, v); }
        if (kind == 2) { auto x = r.u64(); if (!x.ok()) return false; EXPECT_EQ(*x, v); }
        if (kind == 3) {
          auto x = r.bytes_u16();
          if (!x.ok()) return false;
          EXPECT_TRUE(std::equal(x->begin(), x->end(), blobs[v].begin(), blobs[v].end()));
        }
      }
      return r.expect_end("fields").ok();
    };
    EXPECT_TRUE(decode_all(encoded));
    for (std::size_t cut = 0; cut < encoded.size(); ++cut) {
      EXPECT_FALSE(decode_all(ByteView(encoded).first(cut))) << "prefix " << cut;
    }
  }
}

}  // namespace
}  // namespace zmesh::wire
