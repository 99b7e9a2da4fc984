// `zmesh demo`: a simulated heartbeat mesh (src/health on src/sim), run and summarised.
// Kept apart from the command so that tests and benchmarks can run it directly.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/time.hpp"
#include "sim/stats.hpp"
#include "util/result.hpp"

namespace zmesh::app {

struct DemoOptions {
  std::uint32_t nodes = 200;
  std::uint32_t seconds = 30;  // simulated
  std::uint64_t seed = 1;
  double loss = 0.01;
  DurationUs latency = 20 * kMillisecond;
  DurationUs jitter = 10 * kMillisecond;
  std::uint32_t degree = 8;
  std::uint32_t crash = 0;  // nodes crashed (and left down) halfway through
};

struct DemoReport {
  sim::SimStats stats;
  std::string trace_hash_hex;
  std::uint64_t rtt_samples = 0;
  DurationUs rtt_median_us = 0;
  DurationUs rtt_p99_us = 0;
  std::uint32_t crashed = 0;
  std::uint32_t suspected_nodes = 0;         // suspected by at least one live neighbour
  std::uint32_t suspected_crashed = 0;       // ... of which really crashed
  std::uint64_t wall_us = 0;
  std::uint64_t cpu_us = 0;                  // process CPU time over the run (wall is noisy on shared machines)
  std::uint64_t memory_growth_bytes = 0;     // resident set growth over the run (0 if unknown)
};

Result<DemoReport> run_demo(const DemoOptions& options);
// The human-readable summary `zmesh demo` prints.
std::string format_report(const DemoOptions& options, const DemoReport& report);

}  // namespace zmesh::app
