// The DHT evaluation scenarios (docs/benchmarks.md "DHT (simulator)"), shared by the 2,000-node
// gtests and bench/dht_sim: build a network by joining nodes one after another, then, during a
// measurement window, run node lookups and record gets from random honest nodes for random
// live honest targets, while optionally replacing a share of the nodes (crash + fresh join)
// and with a share of adversaries (liars or silent nodes) that joined like everyone else.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "dht_swarm.hpp"

namespace zmesh::dht::testing {

struct ScenarioConfig {
  std::uint64_t seed = 1;
  std::size_t nodes = 2000;
  double liar_fraction = 0.0;
  double silent_fraction = 0.0;
  double churn_fraction = 0.0;  // share of the nodes replaced during the measurement window
  std::size_t lookups = 1000;
  std::size_t gets = 200;
  DurationUs join_spacing = 20 * kMillisecond;
  DurationUs settle = 30 * kSecond;
  DurationUs window = 600 * kSecond;
  DhtConfig dht;
  sim::LinkProfile link;  // default: 20 ms + up to 60 ms jitter one way
};

struct Distribution {
  double median = 0, p99 = 0, mean = 0;
};

struct ScenarioReport {
  std::size_t lookups = 0, lookups_ok = 0;
  std::size_t gets = 0, gets_ok = 0;
  Distribution hops, latency_ms, messages;  // successful node lookups
  Distribution get_hops, get_latency_ms;
  double extended_share = 0;            // node lookups that queried beyond a sparse window
  double mean_extension_queries = 0;    // ... and how many such queries per node lookup
  double mean_table_size = 0;
  double adversary_table_share = 0;     // of the entries in live honest nodes' routing tables
  std::uint64_t sim_messages = 0;
  std::uint64_t rejected_records = 0;   // forged values seen and refused
  std::uint64_t operations = 0;         // lookups of every kind started by live honest nodes
  std::uint64_t requests = 0;           // requests they sent
  std::size_t crashed = 0, joined_during_window = 0;
  double wall_seconds = 0;
  TimeUs virtual_end = 0;

  double lookup_success() const { return lookups ? double(lookups_ok) / double(lookups) : 0; }
  double get_success() const { return gets ? double(gets_ok) / double(gets) : 0; }
};

ScenarioConfig default_scenario(std::size_t nodes, std::uint64_t seed);
ScenarioReport run_scenario(const ScenarioConfig& config);
std::string describe(const ScenarioReport& report);

}  // namespace zmesh::dht::testing
