// The DHT evaluation scenarios at 2,000 nodes (the 10k/100k runs are bench/dht_sim).
// Goal from the design: >= 99.9 % of lookups find their target in every scenario.
#include <gtest/gtest.h>

#include <cmath>

#include "dht_scenario.hpp"

namespace zmesh::dht::testing {
namespace {

constexpr std::size_t kNodes = 2000;

void expect_healthy(const ScenarioReport& r, double min_success = 0.999) {
  ::testing::Test::RecordProperty("report", describe(r));
  std::printf("%s\n", describe(r).c_str());
  EXPECT_GE(r.lookup_success(), min_success) << describe(r);
  EXPECT_GE(r.get_success(), min_success) << describe(r);
  // log2(2000 / 20) ~ 6.6: a lookup should take only a handful of hops.
  EXPECT_LE(r.hops.p99, 8) << describe(r);
}

TEST(DhtScenario, NoChurn) {
  auto c = default_scenario(kNodes, 101);
  expect_healthy(run_scenario(c));
}

TEST(DhtScenario, ThirtyPercentReplaced) {
  auto c = default_scenario(kNodes, 102);
  c.churn_fraction = 0.3;
  auto r = run_scenario(c);
  EXPECT_GE(r.crashed, 590u);
  expect_healthy(r);
}

TEST(DhtScenario, FiftyPercentReplaced) {
  auto c = default_scenario(kNodes, 103);
  c.churn_fraction = 0.5;
  auto r = run_scenario(c);
  EXPECT_GE(r.crashed, 990u);
  expect_healthy(r);
}

TEST(DhtScenario, TenPercentLiars) {
  auto c = default_scenario(kNodes, 104);
  c.liar_fraction = 0.1;
  auto r = run_scenario(c);
  EXPECT_GT(r.rejected_records, 0u);  // liars did serve forged values, and they were refused
  expect_healthy(r);
}

// The sparse-neighbourhood check at work: with one path (no disjoint paths to fall back on)
// and a quarter of the nodes colluding, lookups that converge among liars are caught by how
// sparse their k closest are, and widened until they reach the real neighbourhood.
TEST(DhtScenario, SparseCheckRescuesCapturedSinglePathLookups) {
  auto c = default_scenario(kNodes, 106);
  c.liar_fraction = 0.25;
  c.dht.lookup.disjoint_paths = 1;
  c.lookups = 1000;
  c.gets = 0;
  c.dht.lookup.sparse_window_factor = 0;
  const auto off = run_scenario(c);
  c.dht.lookup.sparse_window_factor = 3;
  const auto on = run_scenario(c);
  std::printf("off: %s\non:  %s\n", describe(off).c_str(), describe(on).c_str());
  EXPECT_EQ(off.extended_share, 0);
  EXPECT_GT(on.extended_share, 0);
  EXPECT_LT(on.extended_share, 0.1);  // only the few that look captured pay extra queries
  // At least a third of the misses are rescued.
  EXPECT_LE(on.lookups - on.lookups_ok, (off.lookups - off.lookups_ok) * 2 / 3) << describe(off) << "\n" << describe(on);
}

TEST(DhtScenario, TenPercentSilent) {
  auto c = default_scenario(kNodes, 105);
  c.silent_fraction = 0.1;
  expect_healthy(run_scenario(c));
}

}  // namespace
}  // namespace zmesh::dht::testing
