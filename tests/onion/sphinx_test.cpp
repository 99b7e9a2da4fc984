// The Sphinx-format setup header (sphinx.hpp): client construction against hop processing,
// what each hop can see, integrity of every bit, constant size, replay tags.
#include <gtest/gtest.h>

#include <algorithm>

#include "onion/sphinx.hpp"
#include "onion_test_support.hpp"

namespace zmesh::onion {
namespace {

using test::make_relay_keys;
using test::TestRelayKeys;

struct HopView {
  Bytes received;       // the header as the hop received it
  Bytes routing;        // the routing stream as the hop decrypted it
  SetupRouting result;
  HopKeys keys;
  ReplayTag tag{};
};

// Runs `header` through the relays of `path` as each hop would; fails the test on any error.
std::vector<HopView> walk(const std::vector<TestRelayKeys>& relays, const std::vector<std::size_t>& path, Bytes header) {
  std::vector<HopView> views;
  for (std::size_t i = 0; i < path.size(); ++i) {
    HopView view;
    view.received = header;
    auto opened = open_setup_header(relays[path[i]].key, header);
    EXPECT_TRUE(opened.ok()) << "hop " << i << ": " << opened.error().describe();
    if (!opened) return views;
    view.routing.resize(kRoutingBytes);
    Bytes next(kSetupHeaderBytes);
    auto routing = unwrap_setup_header(*opened, header, view.routing, next);
    EXPECT_TRUE(routing.ok()) << "hop " << i;
    if (!routing) return views;
    view.result = *routing;
    view.tag = opened->schedule.replay_tag;
    view.keys = std::move(opened->schedule.keys);
    views.push_back(std::move(view));
    if (routing->final) break;
    header = std::move(next);
  }
  return views;
}

std::vector<SetupHop> hops_of(const std::vector<TestRelayKeys>& relays, const std::vector<std::size_t>& path) {
  std::vector<SetupHop> hops;
  for (std::size_t i : path) hops.push_back(relays[i].hop());
  return hops;
}

bool contains(ByteView haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

class SphinxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 5; ++i) relays.push_back(make_relay_keys(random));
  }
  SeededRandom random{42};
  std::vector<TestRelayKeys> relays;
};

TEST_F(SphinxTest, EveryHopDerivesTheClientsKeysAndTheRightSuccessor) {
  for (const std::vector<std::size_t>& path : {std::vector<std::size_t>{3}, {0, 1}, {2, 4}, {0, 1, 2}, {4, 3, 1}}) {
    auto built = build_setup_header(hops_of(relays, path), random);
    ASSERT_TRUE(built.ok()) << built.error().describe();
    ASSERT_EQ(built->header.size(), kSetupHeaderBytes);
    ASSERT_EQ(built->hops.size(), path.size());
    const auto views = walk(relays, path, built->header);
    ASSERT_EQ(views.size(), path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
      const bool last = i + 1 == path.size();
      EXPECT_EQ(views[i].result.final, last) << "hop " << i;
      if (!last) {
        EXPECT_EQ(views[i].result.next, relays[path[i + 1]].id) << "hop " << i;
      }
      EXPECT_TRUE(crypto::constant_time_equal(views[i].keys.forward.view(), built->hops[i].forward.view()));
      EXPECT_TRUE(crypto::constant_time_equal(views[i].keys.backward.view(), built->hops[i].backward.view()));
      EXPECT_FALSE(crypto::constant_time_equal(views[i].keys.forward.view(), views[i].keys.backward.view()));
    }
  }
}

TEST_F(SphinxTest, EveryHopSeesOnlyItsSuccessor) {
  const std::vector<std::size_t> path = {0, 1, 2};
  auto built = build_setup_header(hops_of(relays, path), random);
  ASSERT_TRUE(built.ok());
  const auto views = walk(relays, path, built->header);
  ASSERT_EQ(views.size(), 3u);
  for (std::size_t i = 0; i < views.size(); ++i) {
    for (std::size_t j = 0; j < relays.size(); ++j) {
      const ByteView id = relays[j].id.bytes;
      // The header a hop receives names nobody in the clear.
      EXPECT_FALSE(contains(views[i].received, id)) << "hop " << i << " received relay " << j;
      // Decrypted, it names exactly the next hop (and only in its own slot).
      const bool successor = i + 1 < path.size() && path[i + 1] == j;
      EXPECT_EQ(contains(views[i].routing, id), successor) << "hop " << i << " decrypts relay " << j;
      if (successor) {
        EXPECT_TRUE(std::equal(id.begin(), id.end(), views[i].routing.begin() + kSlotNodeOffset));
      }
    }
  }
  // Consecutive hops see unrelated group elements (alpha is re-blinded at every hop).
  for (std::size_t i = 0; i + 1 < views.size(); ++i)
    EXPECT_FALSE(std::equal(views[i].received.begin() + kAlphaOffset, views[i].received.begin() + kKemOffset,
                            views[i + 1].received.begin() + kAlphaOffset));
}

TEST_F(SphinxTest, TwoAndThreeHopHeadersLookAlikeAtEveryHop) {
  auto two = build_setup_header(hops_of(relays, {0, 1}), random);
  auto three = build_setup_header(hops_of(relays, {0, 2, 1}), random);
  ASSERT_TRUE(two.ok() && three.ok());
  EXPECT_EQ(two->header.size(), three->header.size());
  const auto two_views = walk(relays, {0, 1}, two->header);
  const auto three_views = walk(relays, {0, 2, 1}, three->header);
  for (const auto* views : {&two_views, &three_views}) {
    for (const HopView& view : *views) {
      EXPECT_EQ(view.received.size(), kSetupHeaderBytes);
      // What a hop decrypts beyond its slot looks random, whatever the path length: no run of
      // zeros betrays unused space (uniform bytes: ~0.4% zeros).
      const ByteView rest = ByteView(view.routing).subspan(view.result.final ? kFinalSlotBytes : kSlotBytes);
      const auto zeros = std::count(rest.begin(), rest.end(), 0);
      EXPECT_LT(zeros, 40) << "of " << rest.size();
    }
  }
}

TEST_F(SphinxTest, AFlippedBitAnywhereIsRejected) {
  const std::vector<std::size_t> path = {0, 1, 2};
  auto built = build_setup_header(hops_of(relays, path), random);
  ASSERT_TRUE(built.ok());
  // Every byte of the first hop's header, one seeded-random bit in each.
  for (std::size_t byte = 0; byte < kSetupHeaderBytes; ++byte) {
    Bytes tampered = built->header;
    tampered[byte] ^= static_cast<std::uint8_t>(1u << random.uniform(8));
    EXPECT_FALSE(open_setup_header(relays[0].key, tampered).ok()) << "byte " << byte;
  }
  // Every bit of alpha's top byte (X25519 ignores bit 255: the MAC must not).
  for (int bit = 0; bit < 8; ++bit) {
    Bytes tampered = built->header;
    tampered[kAlphaOffset + kAlphaBytes - 1] ^= static_cast<std::uint8_t>(1u << bit);
    EXPECT_FALSE(open_setup_header(relays[0].key, tampered).ok()) << "alpha bit " << bit;
  }
  // A header modified after the first hop is refused by the second (sampled positions).
  auto views = walk(relays, {0}, built->header);
  ASSERT_EQ(views.size(), 1u);
  auto opened = open_setup_header(relays[0].key, built->header);
  Bytes routing(kRoutingBytes), second(kSetupHeaderBytes);
  ASSERT_TRUE(unwrap_setup_header(*opened, built->header, routing, second).ok());
  ASSERT_TRUE(open_setup_header(relays[1].key, second).ok());
  for (std::size_t byte = 0; byte < kSetupHeaderBytes; byte += 1 + random.uniform(13)) {
    Bytes tampered = second;
    tampered[byte] ^= static_cast<std::uint8_t>(1u << random.uniform(8));
    EXPECT_FALSE(open_setup_header(relays[1].key, tampered).ok()) << "second hop, byte " << byte;
  }
}

TEST_F(SphinxTest, AHeaderForAnotherKeyIsRejected) {
  auto built = build_setup_header(hops_of(relays, {0, 1}), random);
  ASSERT_TRUE(built.ok());
  auto wrong = open_setup_header(relays[1].key, built->header);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, Errc::verify_failed);
  EXPECT_EQ(setup_header_key_id(built->header), relays[0].key.id());
}

TEST_F(SphinxTest, ReplayTagIsStablePerPacketAndFreshPerBuild) {
  const std::vector<std::size_t> path = {0, 1};
  auto a = build_setup_header(hops_of(relays, path), random);
  auto b = build_setup_header(hops_of(relays, path), random);
  ASSERT_TRUE(a.ok() && b.ok());
  const auto first = walk(relays, path, a->header);
  const auto again = walk(relays, path, a->header);
  const auto other = walk(relays, path, b->header);
  ASSERT_EQ(first.size(), 2u);
  ASSERT_EQ(again.size(), 2u);
  ASSERT_EQ(other.size(), 2u);
  EXPECT_EQ(first[0].tag, again[0].tag);  // a replay is recognisable...
  EXPECT_EQ(first[1].tag, again[1].tag);
  EXPECT_NE(first[0].tag, other[0].tag);  // ...and a new build is not mistaken for one
  EXPECT_NE(first[0].tag, first[1].tag);
  EXPECT_NE(a->header, b->header);
}

TEST_F(SphinxTest, RefusesBadPaths) {
  EXPECT_EQ(build_setup_header({}, random).error().code, Errc::invalid_argument);
  EXPECT_EQ(build_setup_header(hops_of(relays, {0, 1, 2, 3}), random).error().code, Errc::invalid_argument);
  EXPECT_EQ(build_setup_header(hops_of(relays, {0, 1, 0}), random).error().code, Errc::invalid_argument);
  EXPECT_EQ(open_setup_header(relays[0].key, Bytes(100)).error().code, Errc::malformed);
}

TEST_F(SphinxTest, UnknownSlotTypeIsRefusedAfterTheMac) {
  // A client that writes nonsense into a slot (with a valid MAC) is refused, not followed.
  auto built = build_setup_header(hops_of(relays, {0, 1}), random);
  ASSERT_TRUE(built.ok());
  auto opened = open_setup_header(relays[0].key, built->header);
  ASSERT_TRUE(opened.ok());
  Bytes routing(kRoutingBytes), next(kSetupHeaderBytes);
  Bytes header = built->header;
  // Flip the slot type under the stream and re-MAC it as a malicious client could.
  header[kBetaOffset] ^= kSlotForward ^ 0x07;
  const auto mac = header_mac(opened->schedule.mac_key, ByteView(header).first(kMacOffset));
  std::copy(mac.begin(), mac.end(), header.begin() + kMacOffset);
  auto reopened = open_setup_header(relays[0].key, header);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(unwrap_setup_header(*reopened, header, routing, next).error().code, Errc::malformed);
}

}  // namespace
}  // namespace zmesh::onion
