// Lookup bookkeeping driven by hand: disjoint paths, the stopping rule, and the case that
// broke 10 %-liar lookups (a path captured by a colluding cluster hoarding honest contacts).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "dht/distance.hpp"
#include "dht/lookup.hpp"

namespace zmesh::dht {
namespace {

// Ids by closeness to the all-zero target: a smaller `rank` is closer (rank goes into the
// leading bytes, so XOR distance orders exactly like rank).
Contact at_rank(std::uint32_t rank) {
  Contact c;
  c.id.bytes[0] = static_cast<std::uint8_t>(rank >> 16);
  c.id.bytes[1] = static_cast<std::uint8_t>(rank >> 8);
  c.id.bytes[2] = static_cast<std::uint8_t>(rank);
  c.id.bytes[31] = 1;  // never equal to the target itself
  c.address = "10.0." + std::to_string(rank / 250) + "." + std::to_string(rank % 250);
  return c;
}

std::vector<Contact> ranks(std::uint32_t from, std::uint32_t count) {
  std::vector<Contact> out;
  for (std::uint32_t i = 0; i < count; ++i) out.push_back(at_rank(from + i));
  return out;
}

NodeId self_id() {
  NodeId id;
  id.bytes.fill(0xee);
  return id;
}

LookupParams params(std::size_t paths) {
  LookupParams p;
  p.k = 4;
  p.alpha = 2;
  p.disjoint_paths = paths;
  return p;
}

TEST(Lookup, SeedsAreDealtRoundRobinAndEachNodeIsQueriedOnce) {
  Lookup lookup(1, LookupKind::find_node, NodeId{}, self_id(), params(3), 0);
  lookup.seed(ranks(100, 6));
  auto first = lookup.next_queries();
  ASSERT_EQ(first.size(), 6u);  // two paths' worth of alpha = 2, three paths
  // Both path-0 seeds (ranks 100 and 103) answer with the same new contacts as path 1's seed.
  const auto shared = ranks(10, 3);
  lookup.on_response(at_rank(100).id, shared, {}, 1);
  lookup.on_response(at_rank(101).id, shared, {}, 1);
  std::map<NodeId, int> asked;
  for (const auto& c : first) ++asked[c.id];
  while (!lookup.finished()) {
    auto next = lookup.next_queries();
    if (next.empty()) break;
    for (const auto& c : next) {
      ++asked[c.id];
      lookup.on_response(c.id, {}, {}, 2);
    }
    for (const auto& c : first) lookup.on_response(c.id, {}, {}, 2);
  }
  for (const auto& [id, times] : asked) EXPECT_EQ(times, 1) << "a node queried by two paths";
  for (const auto& c : shared) EXPECT_EQ(asked.count(c.id), 1u);
  EXPECT_TRUE(lookup.finished());
  EXPECT_EQ(lookup.result().closest.front().id, at_rank(10).id);
}

TEST(Lookup, APathIsDoneOnlyWhenItsKClosestHaveAnswered) {
  Lookup lookup(1, LookupKind::find_node, NodeId{}, self_id(), params(1), 0);
  lookup.seed(ranks(100, 2));
  auto q = lookup.next_queries();
  ASSERT_EQ(q.size(), 2u);
  lookup.on_response(q[0].id, ranks(50, 3), {}, 1);
  EXPECT_FALSE(lookup.finished());  // rank 101 still in flight, 50..52 unqueried
  lookup.on_failure(q[1].id, 2);    // a timeout: the node leaves the window
  EXPECT_FALSE(lookup.finished());
  auto q2 = lookup.next_queries();
  ASSERT_EQ(q2.size(), 2u);
  EXPECT_EQ(q2[0].id, at_rank(50).id);
  for (const auto& c : q2) lookup.on_response(c.id, {}, {}, 3);
  EXPECT_FALSE(lookup.finished());  // rank 52 is among the k = 4 closest and has not answered
  auto q3 = lookup.next_queries();
  ASSERT_EQ(q3.size(), 1u);
  lookup.on_response(q3[0].id, {}, {}, 4);
  ASSERT_TRUE(lookup.finished());
  const auto& closest = lookup.result().closest;
  ASSERT_EQ(closest.size(), 4u);  // 50, 51, 52, 100: the failed 101 is not in it
  EXPECT_EQ(closest.back().id, at_rank(100).id);
  EXPECT_EQ(lookup.result().failures, 1u);
  EXPECT_EQ(lookup.result().rounds, 2u);
}

// Path 0 meets a liar whose cluster fills its window, and also learns the honest contact G
// from an honest seed, but never queries it (G is farther than the cluster). Path 1 hears of
// G later. G must still be usable by path 1: a contact belongs to the path that queries it,
// not to the first path that heard of it (with first-heard ownership path 1 converged at once
// and the whole lookup ended inside the cluster).
TEST(Lookup, AContactHoardedByACapturedPathIsStillQueriedByAnother) {
  Lookup lookup(1, LookupKind::find_node, NodeId{}, self_id(), params(2), 0);
  const Contact liar = at_rank(1000), honest1 = at_rank(1001), honest0 = at_rank(1002);
  const Contact g = at_rank(500);
  const Contact target_neighbour = at_rank(1);
  lookup.seed({liar, honest1, honest0});  // path 0: liar, honest0; path 1: honest1
  auto q = lookup.next_queries();
  ASSERT_EQ(q.size(), 3u);
  const auto cluster = ranks(200, 4);  // closer than G, far from the target
  lookup.on_response(liar.id, cluster, {}, 1);
  lookup.on_response(honest0.id, {g}, {}, 1);
  for (int round = 0; round < 4; ++round) {
    for (const auto& c : lookup.next_queries()) {
      if (c.id == g.id) {
        lookup.on_response(c.id, {target_neighbour}, {}, 2);
      } else if (c.id == target_neighbour.id) {
        lookup.on_response(c.id, {}, {}, 3);
      } else {
        lookup.on_response(c.id, cluster, {}, 2);  // the cluster vouches for itself
      }
    }
    if (round == 0) lookup.on_response(honest1.id, {g}, {}, 2);
  }
  ASSERT_TRUE(lookup.finished());
  ASSERT_FALSE(lookup.result().closest.empty());
  EXPECT_EQ(lookup.result().closest.front().id, target_neighbour.id);
}

// One path, captured: a liar's cluster (ranks 200..203) fills the k = 4 window and vouches for
// itself; an honest contact G (rank 1500) is known but farther. With our neighbourhood radius
// at rank ~10, a window reaching rank 203 is far too sparse for k honest nodes, so the path
// must query beyond it, and G leads to the target's real neighbours. Without the radius (the
// check off) the path stops inside the cluster.
LookupResult run_captured_path(bool with_radius) {
  LookupParams p = params(1);
  p.sparse_window_factor = 3.0;
  Lookup lookup(1, LookupKind::find_node, NodeId{}, self_id(), p, 0);
  if (with_radius) lookup.set_neighbourhood_radius(10.0 * 0x1p-24);  // rank 10 out of 2^24
  const Contact liar = at_rank(1000), honest = at_rank(2000), g = at_rank(1500);
  lookup.seed({liar, honest, at_rank(3000)});
  const auto cluster = ranks(200, 4);
  const auto neighbours = ranks(5, 4);
  for (int round = 0; round < 10 && !lookup.finished(); ++round) {
    const auto queries = lookup.next_queries();
    for (const auto& c : queries) {
      if (c.id == honest.id) lookup.on_response(c.id, {g}, {}, round);
      else if (c.id == g.id) lookup.on_response(c.id, neighbours, {}, round);
      else if (c.id.bytes[1] == 0 && c.id.bytes[2] < 10) lookup.on_response(c.id, neighbours, {}, round);
      else if (c.id == at_rank(3000).id) lookup.on_response(c.id, {}, {}, round);
      else lookup.on_response(c.id, cluster, {}, round);  // liar and cluster
    }
    lookup.check_done(round);
  }
  EXPECT_TRUE(lookup.finished());
  return lookup.result();
}

TEST(Lookup, ASparseCapturedWindowIsNotAcceptedAsConverged) {
  const LookupResult off = run_captured_path(false);
  ASSERT_FALSE(off.closest.empty());
  EXPECT_EQ(off.closest.front().id, at_rank(200).id);  // the cluster won: the failure we fix
  EXPECT_EQ(off.extension_queries, 0u);
  const LookupResult on = run_captured_path(true);
  ASSERT_FALSE(on.closest.empty());
  EXPECT_EQ(on.closest.front().id, at_rank(5).id);
  EXPECT_GE(on.extension_queries, 1u);
  EXPECT_LE(on.queries_sent, off.queries_sent + 8);  // bounded: a batch or two beyond the window
}

// A dense window (spread within the factor of our radius) converges as plain Kademlia does:
// no queries beyond the k closest.
TEST(Lookup, ADenseWindowConvergesWithoutExtraQueries) {
  Lookup lookup(1, LookupKind::find_node, NodeId{}, self_id(), params(1), 0);
  lookup.set_neighbourhood_radius(10.0 * 0x1p-24);
  lookup.seed(ranks(100, 6));
  for (int round = 0; round < 10 && !lookup.finished(); ++round) {
    for (const auto& c : lookup.next_queries()) lookup.on_response(c.id, ranks(3, 4), {}, round);
    lookup.check_done(round);
  }
  ASSERT_TRUE(lookup.finished());
  EXPECT_EQ(lookup.result().extension_queries, 0u);
  EXPECT_EQ(lookup.result().queries_sent, 6u);  // 2 seeds, then ranks 3..6
}

TEST(Lookup, FindValueStopsAtTheFirstValidRecord) {
  Lookup lookup(1, LookupKind::find_value, NodeId{}, self_id(), params(2), 0);
  lookup.seed(ranks(100, 4));
  auto q = lookup.next_queries();
  Record r;
  r.value = {1};
  lookup.on_response(q[0].id, {}, {r}, 7);
  ASSERT_TRUE(lookup.finished());
  EXPECT_EQ(lookup.result().records.size(), 1u);
  EXPECT_EQ(lookup.result().found_at, 7);
  EXPECT_TRUE(lookup.next_queries().empty());
}

}  // namespace
}  // namespace zmesh::dht
