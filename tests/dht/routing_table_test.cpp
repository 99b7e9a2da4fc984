#include <gtest/gtest.h>

#include "dht/distance.hpp"
#include "dht/routing_table.hpp"

namespace zmesh::dht {
namespace {

// Contacts all in bucket 0 of `self` (first bit differs), each from its own /24.
struct Fixture {
  Fixture() { random.fill(self.bytes); }
  Contact in_bucket(int bucket, std::string address = "") {
    static int counter = 0;
    ++counter;
    if (address.empty()) address = "10." + std::to_string(counter % 250) + "." + std::to_string(counter / 250) + ".1:4433";
    return Contact{random_id_in_bucket(self, bucket, random), address};
  }
  SeededRandom random{7};
  NodeId self;
};

TEST(RoutingTable, FillsABucketUpToKThenCachesAndProbesTheOldest) {
  Fixture f;
  RoutingConfig config;
  RoutingTable table(f.self, config);
  std::vector<Contact> first;
  for (std::size_t i = 0; i < config.k; ++i) {
    first.push_back(f.in_bucket(0));
    EXPECT_EQ(table.observe(first.back(), TimeUs(i)).outcome, ObserveOutcome::added);
  }
  EXPECT_EQ(table.size(), config.k);
  // Heard from a moment ago: no need to probe the oldest, the newcomer just waits.
  const Contact early = f.in_bucket(0);
  EXPECT_FALSE(table.observe(early, 100).probe.has_value());
  const TimeUs later = config.probe_if_silent_for + 100;
  const Contact newcomer = f.in_bucket(0);
  auto r = table.observe(newcomer, later);
  EXPECT_EQ(r.outcome, ObserveOutcome::cached);
  ASSERT_TRUE(r.probe.has_value());
  EXPECT_EQ(r.probe->id, first.front().id);  // least recently seen
  EXPECT_FALSE(table.contains(newcomer.id));
  // A second newcomer while the probe is out does not start another probe.
  EXPECT_FALSE(table.observe(f.in_bucket(0), later + 1).probe.has_value());

  // The oldest answers: it stays (long-lived preference) and moves to the tail.
  EXPECT_EQ(table.observe(first.front(), later + 2).outcome, ObserveOutcome::updated);
  EXPECT_TRUE(table.contains(first.front().id));
  EXPECT_EQ(table.bucket(0).back().contact.id, first.front().id);
  EXPECT_FALSE(table.contains(newcomer.id));
}

TEST(RoutingTable, SilentProbedContactIsReplacedByFreshestNewcomer) {
  Fixture f;
  RoutingTable table(f.self, RoutingConfig{});
  std::vector<Contact> first;
  for (int i = 0; i < 20; ++i) {
    first.push_back(f.in_bucket(0));
    (void)table.observe(first.back(), i);
  }
  const Contact older = f.in_bucket(0), fresher = f.in_bucket(0);
  const TimeUs later = RoutingConfig{}.probe_if_silent_for + 50;
  auto r = table.observe(older, later);
  (void)table.observe(fresher, later + 1);
  ASSERT_TRUE(r.probe);
  table.record_failure(r.probe->id);  // probe timed out: evicted at once
  EXPECT_FALSE(table.contains(first.front().id));
  EXPECT_TRUE(table.contains(fresher.id));
  EXPECT_FALSE(table.contains(older.id));
  EXPECT_EQ(table.size(), 20u);
}

TEST(RoutingTable, OrdinaryFailuresEvictAfterTheThreshold) {
  Fixture f;
  RoutingTable table(f.self, RoutingConfig{});
  const Contact c = f.in_bucket(3);
  (void)table.observe(c, 0);
  table.record_failure(c.id);
  EXPECT_TRUE(table.contains(c.id));
  table.record_failure(c.id);
  EXPECT_FALSE(table.contains(c.id));
  // An answer in between resets the count.
  const Contact d = f.in_bucket(3);
  (void)table.observe(d, 0);
  table.record_failure(d.id);
  (void)table.observe(d, 1);
  table.record_failure(d.id);
  EXPECT_TRUE(table.contains(d.id));
}

TEST(RoutingTable, PerPrefixLimitsInBucketAndTable) {
  Fixture f;
  RoutingConfig config;
  RoutingTable table(f.self, config);
  // Three contacts of one /24 in one bucket: only two fit.
  EXPECT_EQ(table.observe(f.in_bucket(0, "192.0.2.1:1"), 0).outcome, ObserveOutcome::added);
  EXPECT_EQ(table.observe(f.in_bucket(0, "192.0.2.2:1"), 0).outcome, ObserveOutcome::added);
  EXPECT_EQ(table.observe(f.in_bucket(0, "192.0.2.3:1"), 0).outcome, ObserveOutcome::refused_prefix);
  // Across buckets, at most max_per_prefix_in_table.
  std::size_t added = 2;
  for (int b = 1; b < 20; ++b) {
    for (int i = 0; i < 2; ++i) {
      if (table.observe(f.in_bucket(b, "192.0.2." + std::to_string(10 + 2 * b + i)), 0).outcome == ObserveOutcome::added) ++added;
    }
  }
  EXPECT_EQ(added, config.max_per_prefix_in_table);
  EXPECT_EQ(table.observe(Contact{f.self, "10.0.0.1"}, 0).outcome, ObserveOutcome::refused_self);
}

TEST(RoutingTable, AddressPrefixes) {
  EXPECT_EQ(address_prefix("10.1.2.3"), "v4:10.1.2");
  EXPECT_EQ(address_prefix("10.1.2.3:4433"), "v4:10.1.2");
  EXPECT_EQ(address_prefix("tcp://198.51.100.7:80/x"), "v4:198.51.100");
  EXPECT_EQ(address_prefix("[2001:db8:1:2::5]:443"), "v6:2001:db8:1:");
  EXPECT_EQ(address_prefix("signal:abcdef"), "host:signal:abcdef");
  EXPECT_EQ(address_prefix("wss://relay.example/zmesh"), "host:relay.example");
}

TEST(RoutingTable, ClosestIsSortedByXorDistance) {
  Fixture f;
  RoutingTable table(f.self, RoutingConfig{});
  std::vector<Contact> all;
  for (int i = 0; i < 600; ++i) {
    // Ids spread over many buckets (a random id is in bucket 0 half of the time).
    Contact c{random_id_in_bucket(f.self, i % 12, f.random), "10." + std::to_string(i % 200) + "." + std::to_string(i / 200) + ".1"};
    if (table.observe(c, i).outcome == ObserveOutcome::added) all.push_back(c);
  }
  ASSERT_GT(table.bucket_count(), 10u);
  // Targets in every relation to our id: far, sharing a few bits, deep in our neighbourhood, ours.
  for (int t = 0; t < 200; ++t) {
    NodeId target = t == 0 ? f.self : random_id_in_bucket(f.self, t % 16, f.random);
    for (std::size_t count : {1u, 20u, 45u, 1000u}) {
      auto got = table.closest(target, count);
      std::sort(all.begin(), all.end(), [&](const Contact& a, const Contact& b) { return closer_to(target, a.id, b.id); });
      ASSERT_EQ(got.size(), std::min(count, all.size()));
      for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i].id, all[i].id) << "target " << t << " count " << count;
    }
  }
}

TEST(RoutingTable, ANewcomerThatMayNotTakeAFreeSlotWaitsAsAReplacement) {
  Fixture f;
  RoutingTable table(f.self, RoutingConfig{});
  const Contact resident = f.in_bucket(3), waiting = f.in_bucket(3);
  EXPECT_EQ(table.observe(resident, 0).outcome, ObserveOutcome::added);
  auto r = table.observe(waiting, 1, false);
  EXPECT_EQ(r.outcome, ObserveOutcome::cached);
  EXPECT_FALSE(r.probe.has_value());  // the bucket has room: nobody to probe
  EXPECT_FALSE(table.contains(waiting.id));
  EXPECT_EQ(table.replacement_count(), 1u);
  // A contact already in the table is refreshed whatever the flag says.
  EXPECT_EQ(table.observe(resident, 2, false).outcome, ObserveOutcome::updated);
  // When a resident dies, the waiting contact takes its place.
  table.record_failure(resident.id, true);
  EXPECT_TRUE(table.contains(waiting.id));
  EXPECT_EQ(table.replacement_count(), 0u);
}

}  // namespace
}  // namespace zmesh::dht
