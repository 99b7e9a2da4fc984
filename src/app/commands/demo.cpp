#include <cstdio>

#include "app/command.hpp"
#include "app/demo_mesh.hpp"
#include "app/flags.hpp"

namespace zmesh::app {
namespace {

Result<DemoOptions> options_from(const Flags& f) {
  DemoOptions o;
  ZM_TRY(auto nodes, f.integer("nodes", o.nodes, 2, 1'000'000));
  ZM_TRY(auto seconds, f.integer("seconds", o.seconds, 1, 86'400));
  ZM_TRY(o.seed, f.unsigned_integer("seed", o.seed));
  ZM_TRY(o.loss, f.number("loss", o.loss, 0.0, 1.0));
  ZM_TRY(auto latency_ms, f.integer("latency-ms", o.latency / kMillisecond, 0, 60'000));
  ZM_TRY(auto jitter_ms, f.integer("jitter-ms", o.jitter / kMillisecond, 0, 60'000));
  ZM_TRY(auto degree, f.integer("degree", o.degree, 1, 256));
  ZM_TRY(auto crash, f.integer("crash", o.crash, 0, nodes - 1));
  o.nodes = static_cast<std::uint32_t>(nodes);
  o.seconds = static_cast<std::uint32_t>(seconds);
  o.latency = latency_ms * kMillisecond;
  o.jitter = jitter_ms * kMillisecond;
  o.degree = static_cast<std::uint32_t>(degree);
  o.crash = static_cast<std::uint32_t>(crash);
  return o;
}

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh demo", argc, argv,
                            {{"nodes"}, {"seconds"}, {"seed"}, {"loss"}, {"latency-ms"}, {"jitter-ms"}, {"degree"}, {"crash"}});
  if (!flags.ok()) return usage_error(flags.error(), "demo");
  if (auto st = flags->expect_positionals(0, 0); !st.ok()) return usage_error(st.error(), "demo");
  auto options = options_from(*flags);
  if (!options.ok()) return usage_error(options.error(), "demo");
  auto report = run_demo(*options);
  if (!report.ok()) return failure(report.error(), "demo");
  std::fputs(format_report(*options, *report).c_str(), stdout);
  return kExitOk;
}

const Command kDemo{
    "demo", "run a simulated mesh of heartbeat nodes and summarise it",
    "Usage: zmesh demo [--nodes N] [--seconds S] [--seed X] [--loss P] [OPTIONS]\n\n"
    "Runs N nodes of the heartbeat service in the deterministic simulator (virtual time, one\n"
    "process) and prints messages, loss, RTT, suspected nodes, speed and the trace hash.\n"
    "The same options and seed always give the same trace hash (docs/simulator.md).\n\n"
    "Options:\n"
    "  --nodes N         number of nodes (default 200, 2..1000000)\n"
    "  --seconds S       simulated seconds (default 30)\n"
    "  --seed X          64-bit seed for every random choice (default 1)\n"
    "  --loss P          probability a message is lost, 0..1 (default 0.01)\n"
    "  --latency-ms MS   one-way link latency (default 20)\n"
    "  --jitter-ms MS    extra delay, uniform in 0..MS (default 10)\n"
    "  --degree D        neighbours per node, about (default 8)\n"
    "  --crash K         crash K random nodes halfway through (default 0)\n",
    run};
ZMESH_REGISTER_COMMAND(kDemo);

}  // namespace
}  // namespace zmesh::app
