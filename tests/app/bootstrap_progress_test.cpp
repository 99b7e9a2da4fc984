#include "app/bootstrap_progress.hpp"

#include <gtest/gtest.h>

namespace zmesh::app {
namespace {

std::vector<std::string> texts(const std::vector<BootstrapLogLine>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

TEST(BootstrapProgress, ClientMilestonesAreLoggedOnceInOrder) {
  BootstrapProgress progress("127.0.0.1:9050", 3);
  EXPECT_EQ(progress.percent(), 0);
  EXPECT_TRUE(progress.observe({}).empty());
  BootstrapObservation seen;
  seen.linked_peers = 2;
  EXPECT_EQ(texts(progress.observe(seen)), std::vector<std::string>{"bootstrapped 20% (linked): linked to 2 peers"});
  EXPECT_TRUE(progress.observe(seen).empty());  // once only
  seen.dht_joined = true;
  seen.relays_known = 2;  // fewer than 3 hops need
  EXPECT_EQ(texts(progress.observe(seen)), std::vector<std::string>{"bootstrapped 40% (dht): joined the DHT"});
  EXPECT_TRUE(progress.needs_relay_count());
  seen.relays_known = 5;
  seen.ready_circuits = 1;  // several milestones at once: each logged, in order
  EXPECT_EQ(texts(progress.observe(seen)),
            (std::vector<std::string>{"bootstrapped 60% (descriptors): 5 relay descriptors known",
                                      "bootstrapped 80% (circuit): first circuit ready",
                                      "bootstrapped 100% (done): SOCKS5 ready on 127.0.0.1:9050"}));
  EXPECT_EQ(progress.percent(), 100);
  EXPECT_STREQ(progress.tag(), "done");
  EXPECT_FALSE(progress.needs_relay_count());
  seen = {};  // every peer lost: progress does not go back
  EXPECT_TRUE(progress.observe(seen).empty());
  EXPECT_EQ(progress.percent(), 100);
}

TEST(BootstrapProgress, RelayIsDoneOnceInTheDht) {
  BootstrapProgress progress("", 3);
  BootstrapObservation seen;
  seen.linked_peers = 1;
  seen.dht_joined = true;
  EXPECT_EQ(texts(progress.observe(seen)), (std::vector<std::string>{"bootstrapped 50% (linked): linked to 1 peer",
                                                                     "bootstrapped 100% (done): joined the DHT, relaying"}));
  EXPECT_FALSE(progress.needs_relay_count());
}

TEST(BootstrapProgress, PathProblemIsWarnedOncePerEpisodeAfterTheDhtJoin) {
  BootstrapProgress progress("127.0.0.1:9050", 3);
  BootstrapObservation seen;
  seen.linked_peers = 1;
  seen.path_unavailable = "no relay can be the last hop (0 usable relays known)";
  EXPECT_EQ(progress.observe(seen).size(), 1u);  // linked; no warning: the DHT has not told us of relays yet
  EXPECT_EQ(progress.status_json()["problem"], seen.path_unavailable);
  seen.dht_joined = true;
  seen.path_unavailable = "not enough relays (1 usable relays known)";
  auto lines = progress.observe(seen);
  ASSERT_EQ(lines.size(), 2u);  // the dht milestone, then the warning
  EXPECT_EQ(lines[1].level, log::Level::warn);
  EXPECT_EQ(lines[1].text, "cannot build a client circuit: not enough relays (1 usable relays known)");
  EXPECT_TRUE(progress.observe(seen).empty());  // the same reason: not again
  seen.path_unavailable = "not enough relays (2 usable relays known)";
  EXPECT_TRUE(progress.observe(seen).empty());  // details changed, same episode: status only
  EXPECT_EQ(progress.status_json()["problem"], seen.path_unavailable);
  seen.path_unavailable.clear();
  lines = progress.observe(seen);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].level, log::Level::info);
  EXPECT_EQ(lines[0].text, "client circuits can be built again");
  EXPECT_EQ(progress.status_json()["problem"], "");
  seen.path_unavailable = "not enough relays (2 usable relays known)";
  lines = progress.observe(seen);  // a new episode warns again
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].level, log::Level::warn);
}

TEST(BootstrapProgress, PathProblemIsWarnedWithoutTheDhtAfterAWhile) {
  BootstrapProgress progress("127.0.0.1:9050", 3);
  BootstrapObservation seen;  // no peer ever answers
  seen.now = 1000;
  seen.path_unavailable = "no relay can be the last hop (0 usable relays known)";
  EXPECT_TRUE(progress.observe(seen).empty());
  seen.now += kPathWarnAfter - 1;
  EXPECT_TRUE(progress.observe(seen).empty());
  seen.now += 1;
  const auto lines = progress.observe(seen);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].level, log::Level::warn);
}

}  // namespace
}  // namespace zmesh::app
