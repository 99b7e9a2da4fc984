// The DHT evaluation at scale on the project simulator (tests/dht/dht_scenario.hpp): one
// network size and one or all scenarios per run, printed as a Markdown table row each, with
// wall and CPU time and the process's peak resident memory (VmHWM). Run one size per process
// so that VmHWM belongs to that size:
//   build/bench/zmesh_dht_sim --nodes 10000 --scenario all
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sys/resource.h>
#include <string>
#include <vector>

#include "dht_scenario.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::dht::testing;

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

struct Options {
  std::size_t nodes = 1000;
  std::string scenario = "all";
  std::size_t lookups = 2000;
  std::size_t gets = 500;
  std::uint64_t seed = 1;
  std::size_t join_refresh = 0;    // §2.3 bucket refreshes after joining (0 = none, as the tests)
  std::size_t paths = 3;           // S/Kademlia d
  double sparse_factor = -1;       // LookupParams::sparse_window_factor (< 0: the default)
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--nodes") o.nodes = std::strtoull(value, nullptr, 10);
    else if (flag == "--scenario") o.scenario = value;
    else if (flag == "--lookups") o.lookups = std::strtoull(value, nullptr, 10);
    else if (flag == "--gets") o.gets = std::strtoull(value, nullptr, 10);
    else if (flag == "--seed") o.seed = std::strtoull(value, nullptr, 10);
    else if (flag == "--join-refresh") o.join_refresh = std::strtoull(value, nullptr, 10);
    else if (flag == "--paths") o.paths = std::strtoull(value, nullptr, 10);
    else if (flag == "--sparse-factor") o.sparse_factor = std::strtod(value, nullptr);
    else {
      std::fprintf(stderr, "usage: %s [--nodes N] [--scenario none|churnP|liarsP|silentP|all] [--lookups L] [--gets G] [--seed S] [--join-refresh B] [--paths D] [--sparse-factor F]\n", argv[0]);
      std::exit(2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  const std::vector<std::string> all = {"none", "churn30", "churn50", "liars10", "silent10"};
  std::vector<std::string> run = o.scenario == "all" ? all : std::vector<std::string>{o.scenario};
  std::printf("| n | scenario | lookups ok | hops median / p99 | latency median / p99 (ms) | queries per lookup median / p99 | lookups extended (extra queries) | gets ok | mean table size (adversaries) | sim messages | wall (s) | CPU (s) | peak RSS (MiB) |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& name : run) {
    ScenarioConfig c = default_scenario(o.nodes, o.seed);
    c.lookups = o.lookups;
    c.gets = o.gets;
    c.dht.join_refresh_limit = o.join_refresh;
    c.dht.refresh_on_join = o.join_refresh > 0;
    c.dht.lookup.disjoint_paths = o.paths;
    if (o.sparse_factor >= 0) c.dht.lookup.sparse_window_factor = o.sparse_factor;
    // churnP, liarsP, silentP: P percent of the nodes replaced, lying, or silent.
    auto percent = [&](const char* prefix) {
      const std::size_t n = std::strlen(prefix);
      return name.compare(0, n, prefix) == 0 && name.size() > n ? std::strtod(name.c_str() + n, nullptr) / 100.0 : -1.0;
    };
    if (percent("churn") >= 0) c.churn_fraction = percent("churn");
    else if (percent("liars") >= 0) c.liar_fraction = percent("liars");
    else if (percent("silent") >= 0) c.silent_fraction = percent("silent");
    else if (name != "none") {
      std::fprintf(stderr, "unknown scenario %s\n", name.c_str());
      return 2;
    }
    const double cpu_start = cpu_seconds();
    const ScenarioReport r = run_scenario(c);
    const double cpu = cpu_seconds() - cpu_start;
    std::printf("| %zu | %s | %zu/%zu (%.2f %%) | %.0f / %.0f | %.0f / %.0f | %.0f / %.0f | %.1f %% (%.1f) | %zu/%zu (%.2f %%) | %.0f (%.1f %%) | %llu | %.1f | %.1f | %.0f |\n",
                o.nodes, name.c_str(), r.lookups_ok, r.lookups, 100 * r.lookup_success(), r.hops.median, r.hops.p99,
                r.latency_ms.median, r.latency_ms.p99, r.messages.median, r.messages.p99, 100 * r.extended_share, r.mean_extension_queries, r.gets_ok, r.gets,
                100 * r.get_success(), r.mean_table_size, 100 * r.adversary_table_share, static_cast<unsigned long long>(r.sim_messages), r.wall_seconds, cpu,
                double(peak_rss_kib()) / 1024.0);
    std::fflush(stdout);
  }
  return 0;
}
