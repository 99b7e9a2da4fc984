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

TEST(DhtScenario, TenPercentSilent) {
  auto c = default_scenario(kNodes, 105);
  c.silent_fraction = 0.1;
  expect_healthy(run_scenario(c));
}

}  // namespace
}  // namespace zmesh::dht::testing
