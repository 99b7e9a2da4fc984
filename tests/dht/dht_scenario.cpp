#include "dht_scenario.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <unordered_set>

#include "dht/distance.hpp"

namespace zmesh::dht::testing {
namespace {

Distribution summarize(std::vector<double> values) {
  Distribution d;
  if (values.empty()) return d;
  std::sort(values.begin(), values.end());
  d.median = values[values.size() / 2];
  d.p99 = values[std::min(values.size() - 1, static_cast<std::size_t>(0.99 * static_cast<double>(values.size())))];
  double sum = 0;
  for (double v : values) sum += v;
  d.mean = sum / static_cast<double>(values.size());
  return d;
}

struct Samples {
  std::vector<double> hops, latency_ms, messages, get_hops, get_latency_ms;
  std::size_t extended = 0, extension_queries = 0, finished = 0;
};

}  // namespace

ScenarioConfig default_scenario(std::size_t nodes, std::uint64_t seed) {
  ScenarioConfig c;
  c.nodes = nodes;
  c.seed = seed;
  c.link.latency = 20 * kMillisecond;
  c.link.jitter = 60 * kMillisecond;
  c.dht.request_timeout = 1 * kSecond;
  // Joining nodes look up their own id and announce, but skip the §2.3 refresh of far buckets:
  // it triples the cost of a join (bench/dht_sim --join-refresh 256 turns it back on).
  c.dht.refresh_on_join = false;
  return c;
}

ScenarioReport run_scenario(const ScenarioConfig& config) {
  const auto wall_start = std::chrono::steady_clock::now();
  SwarmConfig swarm_config;
  swarm_config.seed = config.seed;
  swarm_config.dht = config.dht;
  swarm_config.link = config.link;
  DhtSwarm swarm(swarm_config);
  SeededRandom random(config.seed * 31 + 17);

  // 1. Build: one node every join_spacing; adversaries spread uniformly over the join order.
  for (std::size_t i = 0; i < config.nodes; ++i) {
    Role role = Role::honest;
    if (i > 0) {
      const double u = random.unit();
      if (u < config.liar_fraction) role = Role::liar;
      else if (u < config.liar_fraction + config.silent_fraction) role = Role::silent;
    }
    swarm.add(role);
    swarm.sim().run_for(config.join_spacing);
  }
  swarm.sim().run_for(config.settle);

  // 2. Measurement window: lookups, gets and churn events at uniformly spread times.
  ScenarioReport report;
  Samples samples;
  const TimeUs window_start = swarm.sim().now();
  std::unordered_multiset<sim::NodeIndex> busy;  // initiators and targets of measured operations
  struct Event { TimeUs at; int kind; };   // 0 lookup, 1 get, 2 churn
  std::vector<Event> events;
  for (std::size_t i = 0; i < config.lookups; ++i) events.push_back({window_start + static_cast<TimeUs>(random.uniform(static_cast<std::uint64_t>(config.window))), 0});
  for (std::size_t i = 0; i < config.gets; ++i) events.push_back({window_start + static_cast<TimeUs>(random.uniform(static_cast<std::uint64_t>(config.window))), 1});
  const std::size_t churn = static_cast<std::size_t>(config.churn_fraction * static_cast<double>(config.nodes));
  for (std::size_t i = 0; i < churn; ++i) events.push_back({window_start + static_cast<TimeUs>(random.uniform(static_cast<std::uint64_t>(config.window))), 2});
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at < b.at; });

  for (const Event& e : events) {
    swarm.sim().run_until(e.at);
    if (e.kind == 2) {
      // Crash a live honest node not in a measured operation; a fresh node takes its place.
      for (int attempt = 0; attempt < 64; ++attempt) {
        const sim::NodeIndex victim = swarm.random_honest(random);
        if (busy.count(victim)) continue;
        swarm.crash(victim);
        ++report.crashed;
        break;
      }
      swarm.add(Role::honest);
      ++report.joined_during_window;
      continue;
    }
    const sim::NodeIndex from = swarm.random_honest(random);
    sim::NodeIndex target = swarm.random_honest(random);
    while (target == from) target = swarm.random_honest(random);
    busy.insert(from);
    busy.insert(target);
    const NodeId target_id = swarm.id(target);
    const bool is_get = e.kind == 1;
    if (is_get) ++report.gets; else ++report.lookups;
    swarm.command_at(e.at, from, [&swarm, &report, &samples, &busy, is_get, from, target, target_id](DhtNode& node, Now now) {
      auto done = [&swarm, &report, &samples, &busy, is_get, from, target, target_id](Now, const LookupResult& r) {
        busy.erase(busy.find(from));
        busy.erase(busy.find(target));
        const double latency_ms = double(r.found_at - r.started_at) / double(kMillisecond);
        if (is_get) {
          if (r.records.empty()) return;
          ++report.gets_ok;
          samples.get_hops.push_back(double(r.target_hops));
          samples.get_latency_ms.push_back(latency_ms);
          return;
        }
        ++samples.finished;
        samples.extended += r.extension_queries > 0;
        samples.extension_queries += r.extension_queries;
        if (!r.target_responded) {
          if (std::getenv("ZMESH_DHT_DEBUG")) {
            std::size_t knowers = 0, liars_in_closest = 0;
            for (sim::NodeIndex n = 0; n < swarm.size(); ++n) {
              if (swarm.node(n) && swarm.role(n) == Role::honest && swarm.node(n)->routing_table().contains(target_id)) ++knowers;
            }
            for (const auto& c : r.closest) {
              auto idx = sim_index(c.address);
              if (idx && swarm.role(*idx) != Role::honest) ++liars_in_closest;
            }
            // How sparse the neighbourhood the lookup ended in was, against the yardstick it used.
            const double spread = r.closest.empty() || r.neighbourhood_radius <= 0
                                      ? 0.0
                                      : distance_share(target_id, r.closest.back().id) / r.neighbourhood_radius;
            std::fprintf(stderr, "knowers %zu liars in closest %zu target table %zu spread/radius %.2f\n", knowers,
                         liars_in_closest, swarm.node(target)->routing_table().size(), spread);
          }
          if (std::getenv("ZMESH_DHT_DEBUG"))
            std::fprintf(stderr, "miss: queries %zu (beyond window %zu) responses %zu failures %zu rounds %zu timed_out %d closest %zu seen %d t=%lld\n",
                         r.queries_sent, r.extension_queries, r.responses, r.failures, r.rounds, int(r.timed_out), r.closest.size(), int(r.target_seen),
                         static_cast<long long>(r.finished_at - r.started_at));
          return;
        }
        ++report.lookups_ok;
        samples.hops.push_back(double(r.target_hops));
        samples.latency_ms.push_back(latency_ms);
        samples.messages.push_back(double(r.queries_sent));
      };
      auto started = is_get ? node.get(now, target_id, done) : node.lookup(now, target_id, done);
      (void)started;  // a refused start counts as a failure (no callback, no success)
    });
  }
  swarm.sim().run_until(window_start + config.window + config.dht.lookup_deadline + 10 * kSecond);

  report.hops = summarize(samples.hops);
  report.latency_ms = summarize(samples.latency_ms);
  report.messages = summarize(samples.messages);
  report.get_hops = summarize(samples.get_hops);
  report.get_latency_ms = summarize(samples.get_latency_ms);
  if (samples.finished) {
    report.extended_share = double(samples.extended) / double(samples.finished);
    report.mean_extension_queries = double(samples.extension_queries) / double(samples.finished);
  }
  double table_total = 0;
  std::size_t honest_alive = 0;
  for (sim::NodeIndex n = 0; n < swarm.size(); ++n) {
    DhtNode* node = swarm.node(n);
    if (!node || swarm.role(n) != Role::honest) continue;
    table_total += double(node->routing_table().size());
    report.rejected_records += node->stats().rejected_records;
    report.operations += node->stats().lookups_started;
    report.requests += node->stats().requests_sent;
    ++honest_alive;
  }
  report.mean_table_size = honest_alive ? table_total / double(honest_alive) : 0;
  // How far adversaries got into honest routing tables (they are a share of the nodes).
  std::size_t entries = 0, adversary_entries = 0;
  for (sim::NodeIndex n = 0; n < swarm.size(); ++n) {
    DhtNode* node = swarm.node(n);
    if (!node || swarm.role(n) != Role::honest) continue;
    const RoutingTable& table = node->routing_table();
    for (std::size_t b = 0; b < table.bucket_count(); ++b) {
      for (const auto& e : table.bucket(b)) {
        const auto index = sim_index(e.contact.address);
        adversary_entries += index && swarm.role(*index) != Role::honest;
        ++entries;
      }
    }
  }
  report.adversary_table_share = entries ? double(adversary_entries) / double(entries) : 0;
  report.sim_messages = swarm.sim().stats().messages_sent;
  report.virtual_end = swarm.sim().now();
  report.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return report;
}

std::string describe(const ScenarioReport& r) {
  char line[512];
  std::snprintf(line, sizeof line,
                "lookups %zu/%zu (%.2f%%) hops med %.0f p99 %.0f latency med %.0f ms p99 %.0f ms msgs med %.0f p99 %.0f | "
                "extended %.1f%% (+%.1f queries) | gets %zu/%zu (%.2f%%) | table %.0f (adversaries %.1f%%) | crashed %zu | forged refused %llu | ops %llu reqs %llu | wall %.1f s",
                r.lookups_ok, r.lookups, 100 * r.lookup_success(), r.hops.median, r.hops.p99, r.latency_ms.median,
                r.latency_ms.p99, r.messages.median, r.messages.p99, 100 * r.extended_share, r.mean_extension_queries, r.gets_ok, r.gets, 100 * r.get_success(),
                r.mean_table_size, 100 * r.adversary_table_share, r.crashed, static_cast<unsigned long long>(r.rejected_records),
                static_cast<unsigned long long>(r.operations), static_cast<unsigned long long>(r.requests), r.wall_seconds);
  return line;
}

}  // namespace zmesh::dht::testing
