// Layered data cells (layered_cell.hpp): byte-exact round trips both ways for 1..3 hops,
// per-hop rejection of any modified bit, counters against replay and reordering.
#include <gtest/gtest.h>

#include <cstring>

#include "crypto/aead.hpp"
#include "onion/layered_cell.hpp"

namespace zmesh::onion {
namespace {

std::vector<HopKeys> random_keys(std::size_t hops, RandomSource& random) {
  std::vector<HopKeys> keys;
  for (std::size_t i = 0; i < hops; ++i) {
    HopKeys k{crypto::SecretBytes(32), crypto::SecretBytes(32)};
    random.fill(k.forward.mutable_view());
    random.fill(k.backward.mutable_view());
    keys.push_back(std::move(k));
  }
  return keys;
}

ByteArray<kRelayMessageRegionBytes> random_region(RandomSource& random) {
  ByteArray<kRelayMessageRegionBytes> region;
  random.fill(region);
  return region;
}

// Runs a forward cell through every hop; the bodies each hop received, or an error index.
struct ForwardTrace {
  std::vector<CellBody> inputs;  // what hop i received
  int failed_at = -1;
  ByteArray<kRelayMessageRegionBytes> region{};
};

ForwardTrace forward(const std::vector<HopKeys>& keys, std::uint64_t counter, const CellBody& body,
                     std::size_t tamper_hop = SIZE_MAX, std::size_t tamper_bit = 0) {
  ForwardTrace trace;
  CellBody current = body;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i == tamper_hop) current[tamper_bit / 8] ^= static_cast<std::uint8_t>(1u << (tamper_bit % 8));
    trace.inputs.push_back(current);
    if (i + 1 == keys.size()) {
      if (!open_at_last_hop(keys[i].forward, counter, current, trace.region)) trace.failed_at = static_cast<int>(i);
      return trace;
    }
    CellBody next;
    if (!unwrap_forward_layer(keys[i].forward, counter, current, next)) {
      trace.failed_at = static_cast<int>(i);
      return trace;
    }
    current = next;
  }
  return trace;
}

CellBody backward(const std::vector<HopKeys>& keys, std::uint64_t counter, ByteView region) {
  CellBody body;
  seal_at_last_hop(keys.back().backward, counter, region, body);
  for (std::size_t i = keys.size() - 1; i-- > 0;) {
    CellBody next;
    wrap_backward_layer(keys[i].backward, counter, body, next);
    body = next;
  }
  return body;
}

TEST(LayeredCell, ForwardRoundTripsByteExactForOneToThreeHops) {
  SeededRandom random(10);
  for (std::size_t hops = 1; hops <= kMaxHops; ++hops) {
    const auto keys = random_keys(hops, random);
    for (std::uint64_t counter = 0; counter < 20; ++counter) {
      const auto region = random_region(random);
      CellBody body;
      seal_at_client(keys, counter, region, random, body);
      const ForwardTrace trace = forward(keys, counter, body);
      ASSERT_EQ(trace.failed_at, -1) << hops << " hops, counter " << counter;
      EXPECT_EQ(trace.region, region);
    }
  }
}

TEST(LayeredCell, BackwardRoundTripsByteExactForOneToThreeHops) {
  SeededRandom random(11);
  for (std::size_t hops = 1; hops <= kMaxHops; ++hops) {
    const auto keys = random_keys(hops, random);
    for (std::uint64_t counter = 0; counter < 20; ++counter) {
      const auto region = random_region(random);
      const CellBody body = backward(keys, counter, region);
      ByteArray<kRelayMessageRegionBytes> out;
      ASSERT_TRUE(open_at_client(keys, counter, body, out).ok()) << hops << " hops";
      EXPECT_EQ(out, region);
    }
  }
}

TEST(LayeredCell, AnyFlippedBitIsDroppedByTheNextHop) {
  SeededRandom random(12);
  const auto keys = random_keys(3, random);
  const auto region = random_region(random);
  CellBody body;
  seal_at_client(keys, 5, region, random, body);
  // Every bit of the cell, modified just before hop 0, 1 or 2: that hop refuses it.
  for (std::size_t hop = 0; hop < 3; ++hop) {
    for (std::size_t bit = 0; bit < kCellBodyBytes * 8; ++bit) {
      const ForwardTrace trace = forward(keys, 5, body, hop, bit);
      ASSERT_EQ(trace.failed_at, static_cast<int>(hop)) << "hop " << hop << " bit " << bit;
    }
  }
}

TEST(LayeredCell, AnyFlippedBitOnTheWayBackIsRejectedByTheClient) {
  SeededRandom random(13);
  const auto keys = random_keys(3, random);
  const auto region = random_region(random);
  // Modified on any of the three links on the way back: stage 0 after the last hop sealed it,
  // stage 1 after hop 1 added its layer, stage 2 after hop 0 (arriving at the client).
  for (std::size_t stage = 0; stage < 3; ++stage) {
    for (std::size_t bit = 0; bit < kCellBodyBytes * 8; bit += 1 + random.uniform(3)) {
      auto flip = [&](CellBody& body) { body[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8)); };
      CellBody body;
      seal_at_last_hop(keys[2].backward, 9, region, body);
      if (stage == 0) flip(body);
      CellBody next;
      wrap_backward_layer(keys[1].backward, 9, body, next);
      if (stage == 1) flip(next);
      wrap_backward_layer(keys[0].backward, 9, next, body);
      if (stage == 2) flip(body);
      ByteArray<kRelayMessageRegionBytes> out;
      ASSERT_FALSE(open_at_client(keys, 9, body, out).ok()) << "stage " << stage << " bit " << bit;
    }
  }
}

TEST(LayeredCell, ReplayedOrReorderedCellsFail) {
  SeededRandom random(14);
  const auto keys = random_keys(3, random);
  const auto region = random_region(random);
  CellBody body;
  seal_at_client(keys, 3, region, random, body);
  EXPECT_EQ(forward(keys, 2, body).failed_at, 0);
  EXPECT_EQ(forward(keys, 4, body).failed_at, 0);
  const CellBody back = backward(keys, 3, region);
  ByteArray<kRelayMessageRegionBytes> out;
  EXPECT_FALSE(open_at_client(keys, 4, back, out).ok());
  EXPECT_TRUE(open_at_client(keys, 3, back, out).ok());
}

TEST(LayeredCell, HopsCannotTellPathLengthFromThePadding) {
  // The last hop's 32 bytes of headroom hold earlier hops' pads (decrypted) or client
  // randomness; neither leaves zeros a short path could be recognised by.
  SeededRandom random(15);
  for (std::size_t hops = 1; hops <= kMaxHops; ++hops) {
    const auto keys = random_keys(hops, random);
    CellBody body;
    seal_at_client(keys, 0, random_region(random), random, body);
    const ForwardTrace trace = forward(keys, 0, body);
    ASSERT_EQ(trace.failed_at, -1);
    ByteArray<kLayerPlaintextBytes> plaintext;
    ASSERT_TRUE(crypto::chacha20poly1305_open(keys.back().forward, crypto::counter_nonce(0), {}, trace.inputs.back(),
                                              plaintext)
                    .ok());
    int zeros = 0;
    for (std::size_t i = 0; i < kExitHeadroomBytes; ++i) zeros += plaintext[i] == 0;
    EXPECT_LE(zeros, 3) << hops << " hops";
  }
}

}  // namespace
}  // namespace zmesh::onion
