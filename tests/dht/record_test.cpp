#include <gtest/gtest.h>

#include "dht/distance.hpp"
#include "dht/hybrid_record_verifier.hpp"
#include "dht/record_store.hpp"
#include "dht/sim_record_verifier.hpp"

namespace zmesh::dht {
namespace {

constexpr UnixSeconds kNow = 1'700'000'000;

Record make_record(const SimRecordVerifier& v, std::uint8_t publisher, NodeId key, UnixSeconds expires = kNow + 3600,
                   std::size_t value_bytes = 100) {
  Record r;
  r.key = key;
  r.publisher_key = Bytes(32, publisher);
  r.sequence = 1;
  r.expires_at = expires;
  r.value = Bytes(value_bytes, 0xab);
  v.sign(r);
  return r;
}

NodeId random_id(RandomSource& random) {
  NodeId id;
  random.fill(id.bytes);
  return id;
}

TEST(Record, EncodeDecodeRoundTripAndStrictness) {
  SimRecordVerifier v(9);
  SeededRandom random(1);
  Record r = make_record(v, 1, random_id(random));
  Bytes wire = r.encode();
  auto back = Record::decode(wire);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, r);
  wire.push_back(0);
  EXPECT_FALSE(Record::decode(wire).ok());  // trailing byte
  for (std::size_t cut = 0; cut + 1 < r.encode().size(); cut += 7) {
    EXPECT_FALSE(Record::decode(ByteView(r.encode()).first(cut)).ok());
  }
}

TEST(Record, ValidationRefusesExpiredTooLongTooLargeAndBadSignature) {
  SimRecordVerifier v(9);
  SimRecordVerifier other(10);
  SeededRandom random(2);
  const Record good = make_record(v, 1, random_id(random));
  EXPECT_TRUE(validate_record(good, kNow, kDay, v).ok());
  EXPECT_EQ(validate_record(good, kNow, kDay, other).error().code, Errc::verify_failed);

  Record expired = make_record(v, 1, random_id(random), kNow - 1);
  EXPECT_EQ(validate_record(expired, kNow, kDay, v).error().code, Errc::expired);
  Record forever = make_record(v, 1, random_id(random), kNow + 30 * kDay);
  EXPECT_FALSE(validate_record(forever, kNow, kDay, v).ok());

  Record tampered = good;
  tampered.value[0] ^= 1;
  EXPECT_EQ(validate_record(tampered, kNow, kDay, v).error().code, Errc::verify_failed);

  Record big = make_record(v, 1, random_id(random), kNow + 3600, kMaxRecordValueBytes + 1);
  EXPECT_EQ(validate_record(big, kNow, kDay, v).error().code, Errc::too_large);
  Record max = make_record(v, 1, random_id(random), kNow + 3600, kMaxRecordValueBytes);
  EXPECT_TRUE(validate_record(max, kNow, kDay, v).ok());
}

TEST(Record, HybridVerifierChecksRealSignaturesAndKeyBinding) {
  SeededRandom random(3);
  auto key = crypto::hybrid_sig_generate(random);
  Record r;
  r.key = NodeId::of(key.public_key);
  r.sequence = 4;
  r.expires_at = kNow + 600;
  r.value = Bytes{1, 2, 3};
  sign_record(r, key, random);
  HybridRecordVerifier bound(true), unbound(false);
  EXPECT_TRUE(validate_record(r, kNow, kDay, bound).ok());
  Record moved = r;
  moved.key.bytes[0] ^= 1;
  sign_record(moved, key, random);  // validly signed, but not at the publisher's own id
  EXPECT_TRUE(unbound.verify(moved).ok());
  EXPECT_EQ(bound.verify(moved).error().code, Errc::verify_failed);
  Record tampered = r;
  tampered.sequence = 5;
  EXPECT_FALSE(bound.verify(tampered).ok());
  Record garbage_key = r;
  garbage_key.publisher_key.resize(10);
  EXPECT_FALSE(bound.verify(garbage_key).ok());
}

TEST(RecordStore, SequenceReplacementAndPerKeyListing) {
  SimRecordVerifier v(1);
  SeededRandom random(4);
  RecordStore store(random_id(random), StoreLimits{});
  const NodeId key = random_id(random);
  Record r1 = make_record(v, 1, key);
  ASSERT_TRUE(store.put(r1, kNow).ok());
  Record r2 = r1;
  r2.sequence = 2;
  r2.value = {9};
  ASSERT_TRUE(store.put(r2, kNow).ok());
  EXPECT_FALSE(store.put(r1, kNow).ok());  // older sequence refused
  ASSERT_TRUE(store.put(make_record(v, 2, key), kNow).ok());
  auto got = store.get(key, kNow);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(store.size(), 2u);
  store.drop_expired(kNow + 7200);
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(RecordStore, PublisherAndKeyLimits) {
  SimRecordVerifier v(1);
  SeededRandom random(5);
  StoreLimits limits;
  limits.max_per_publisher = 3;
  limits.max_per_key = 2;
  RecordStore store(random_id(random), limits);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(store.put(make_record(v, 7, random_id(random)), kNow).ok());
  EXPECT_EQ(store.put(make_record(v, 7, random_id(random)), kNow).error().code, Errc::limit_exceeded);
  const NodeId key = random_id(random);
  ASSERT_TRUE(store.put(make_record(v, 1, key), kNow).ok());
  ASSERT_TRUE(store.put(make_record(v, 2, key), kNow).ok());
  EXPECT_EQ(store.put(make_record(v, 3, key), kNow).error().code, Errc::limit_exceeded);
}

TEST(RecordStore, WhenFullEvictsTheFarthestAndRefusesFartherStill) {
  SimRecordVerifier v(1);
  SeededRandom random(6);
  const NodeId self = random_id(random);
  StoreLimits limits;
  limits.max_records = 8;
  RecordStore store(self, limits);
  std::vector<NodeId> keys;
  for (int i = 0; i < 8; ++i) {
    keys.push_back(random_id(random));
    ASSERT_TRUE(store.put(make_record(v, static_cast<std::uint8_t>(i), keys.back()), kNow).ok());
  }
  std::sort(keys.begin(), keys.end(), [&](const NodeId& a, const NodeId& b) { return closer_to(self, a, b); });
  // A key closer than everything evicts the farthest one.
  NodeId close = self;
  close.bytes[31] ^= 1;
  ASSERT_TRUE(store.put(make_record(v, 100, close), kNow).ok());
  EXPECT_EQ(store.size(), 8u);
  EXPECT_TRUE(store.get(keys.back(), kNow).empty());
  EXPECT_FALSE(store.get(keys.front(), kNow).empty());
  // A key farther than everything held is refused.
  NodeId far;  // the complement: the farthest possible key
  for (std::size_t i = 0; i < 32; ++i) far.bytes[i] = static_cast<std::uint8_t>(~self.bytes[i]);
  auto refused = store.put(make_record(v, 101, far), kNow);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, Errc::limit_exceeded);
}

}  // namespace
}  // namespace zmesh::dht
