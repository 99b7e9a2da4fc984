#include "app/demo_mesh.hpp"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <set>
#include <vector>

#include "health/heartbeat.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"

namespace zmesh::app {
namespace {

// RTT samples in 100 µs buckets up to 10 s (everything above lands in the last one):
// bounded memory whatever the mesh size, and finer than any link jitter we simulate.
class RttHistogram final : public health::HeartbeatObserver {
 public:
  static constexpr DurationUs kBucketUs = 100;
  RttHistogram() : buckets_(100'000, 0) {}
  void on_rtt_sample(PeerHandle, DurationUs rtt_us) override {
    auto i = static_cast<std::size_t>(std::max<DurationUs>(rtt_us, 0) / kBucketUs);
    ++buckets_[std::min(i, buckets_.size() - 1)];
    ++count_;
  }
  std::uint64_t count() const { return count_; }
  // The upper edge of the bucket holding the q-quantile.
  DurationUs quantile(double q) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
      seen += buckets_[i];
      if (seen >= rank) return static_cast<DurationUs>(i + 1) * kBucketUs;
    }
    return static_cast<DurationUs>(buckets_.size()) * kBucketUs;
  }

 private:
  std::vector<std::uint64_t> buckets_;
  std::uint64_t count_ = 0;
};

// Resident set size from /proc (Linux); 0 where it is not available.
std::uint64_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      std::uint64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(1 << 16, '\n');
  }
  return 0;
}

std::string thousands(std::uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string ms(DurationUs us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", static_cast<double>(us) / 1000.0);
  return buf;
}

}  // namespace

Result<DemoReport> run_demo(const DemoOptions& o) {
  if (o.nodes < 2) return make_error(Errc::invalid_argument, "a mesh needs at least 2 nodes");
  if (o.crash >= o.nodes) return make_error(Errc::invalid_argument, "cannot crash every node");
  const auto wall_start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();

  // The scenario (topology, which nodes crash) gets its own stream, apart from the
  // simulator's, so both follow from the one seed.
  SeededRandom scenario(o.seed ^ 0x5ce7a710d3e1e5a1ULL);
  const sim::Adjacency graph = sim::ring_with_chords(o.nodes, o.degree, scenario);
  RttHistogram rtts;
  health::HeartbeatConfig config;
  const health::HeartbeatConfig* config_ptr = &config;
  health::HeartbeatObserver* observer = &rtts;
  // Measured after the demo's own tables (topology, histogram): the growth from here on is
  // the simulator, its agenda and the cores.
  const std::uint64_t rss_before = resident_bytes();

  sim::Simulator sim(o.seed);
  sim::LinkProfile link;
  link.latency = o.latency;
  link.jitter = o.jitter;
  link.loss = o.loss;
  sim.set_default_link(link);
  sim.add_nodes(o.nodes, [&graph, config_ptr, observer](const sim::NodeContext& ctx) {
    const auto& adj = graph[ctx.index];
    return std::make_unique<health::HeartbeatService>(std::vector<PeerHandle>(adj.begin(), adj.end()), *config_ptr, ctx.random,
                                                      observer);
  });
  std::set<sim::NodeIndex> crashed;
  while (crashed.size() < o.crash) crashed.insert(static_cast<sim::NodeIndex>(scenario.uniform(o.nodes)));
  const TimeUs end = static_cast<TimeUs>(o.seconds) * kSecond;
  for (auto n : crashed) sim.crash_at(end / 2, n);
  sim.run_until(end);

  DemoReport r;
  std::set<PeerHandle> suspected;
  for (sim::NodeIndex n = 0; n < o.nodes; ++n) {
    auto* hb = sim.core_as<health::HeartbeatService>(n);
    if (!hb) continue;
    for (const auto& nb : hb->neighbours())
      if (nb.suspected) suspected.insert(nb.peer);
  }
  r.stats = sim.stats();
  r.trace_hash_hex = sim.trace_hash_hex();
  r.rtt_samples = rtts.count();
  r.rtt_median_us = rtts.quantile(0.5);
  r.rtt_p99_us = rtts.quantile(0.99);
  r.crashed = static_cast<std::uint32_t>(crashed.size());
  r.suspected_nodes = static_cast<std::uint32_t>(suspected.size());
  for (auto p : suspected) r.suspected_crashed += crashed.count(static_cast<sim::NodeIndex>(p)) ? 1 : 0;
  const std::uint64_t rss_after = resident_bytes();
  r.memory_growth_bytes = rss_after > rss_before ? rss_after - rss_before : 0;
  r.cpu_us = static_cast<std::uint64_t>(static_cast<double>(std::clock() - cpu_start) * 1e6 / CLOCKS_PER_SEC);
  r.wall_us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - wall_start).count());
  return r;
}

std::string format_report(const DemoOptions& o, const DemoReport& r) {
  const auto& s = r.stats;
  const double wall_s = std::max(1e-6, static_cast<double>(r.wall_us) / 1e6);
  char buf[512];
  std::string out = "zmesh demo: simulated heartbeat mesh (1 ping per neighbour per second, suspect after 3 silent seconds)\n";
  auto add = [&out, &buf](const char* label, const std::string& text) {
    std::snprintf(buf, sizeof buf, "  %-16s %s\n", label, text.c_str());
    out += buf;
  };
  add("nodes", thousands(o.nodes) + " (about " + std::to_string(o.degree) + " neighbours each)");
  add("simulated time", std::to_string(o.seconds) + " s, seed " + std::to_string(o.seed));
  std::snprintf(buf, sizeof buf, "latency %s + jitter 0..%s, loss %.2f%%", ms(o.latency).c_str(), ms(o.jitter).c_str(), o.loss * 100);
  add("links", buf);
  const double cpu_s = std::max(1e-6, static_cast<double>(r.cpu_us) / 1e6);
  std::snprintf(buf, sizeof buf, "%s in %.2f s wall, %.2f s CPU (%s events per CPU second, %.0fx real time)",
                thousands(s.events).c_str(), wall_s, cpu_s,
                thousands(static_cast<std::uint64_t>(static_cast<double>(s.events) / cpu_s)).c_str(), o.seconds / wall_s);
  add("events", buf);
  add("messages", "sent " + thousands(s.messages_sent) + ", delivered " + thousands(s.messages_delivered) + ", dropped " +
                      thousands(s.dropped_total()) + " (loss " + thousands(s.dropped_loss) + ", node down " +
                      thousands(s.dropped_node_down) + ", partition " + thousands(s.dropped_partition) + ", queue " +
                      thousands(s.dropped_queue_full) + ")");
  std::snprintf(buf, sizeof buf, "%.2f%% of messages sent",
                s.messages_sent ? 100.0 * static_cast<double>(s.dropped_loss) / static_cast<double>(s.messages_sent) : 0.0);
  add("observed loss", buf);
  add("RTT", "median " + ms(r.rtt_median_us) + ", p99 " + ms(r.rtt_p99_us) + " (" + thousands(r.rtt_samples) + " samples)");
  add("crashed", r.crashed ? std::to_string(r.crashed) + " nodes at " + std::to_string(o.seconds / 2) + " s" : std::string("none"));
  add("suspected", std::to_string(r.suspected_nodes) + " nodes suspected by a live neighbour (" + std::to_string(r.suspected_crashed) +
                       " crashed, " + std::to_string(r.suspected_nodes - r.suspected_crashed) + " false suspicions)");
  if (r.memory_growth_bytes) {
    std::snprintf(buf, sizeof buf, "%.1f MiB resident growth, about %s bytes per node",
                  static_cast<double>(r.memory_growth_bytes) / (1 << 20), thousands(r.memory_growth_bytes / o.nodes).c_str());
    add("memory", buf);
  }
  add("trace hash", r.trace_hash_hex);
  return out;
}

}  // namespace zmesh::app
