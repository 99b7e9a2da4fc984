// `zmesh ping`: ask a running node to ping one of its peers over the link (channel 6) and
// check every echo byte for byte.
#include <cstdio>
#include <string>

#include "app/command.hpp"
#include "app/control_client.hpp"
#include "app/flags.hpp"
#include "app/node_id_prefix.hpp"
#include "identity/node_id.hpp"
#include "node/ping_message.hpp"

namespace zmesh::app {
namespace {

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh ping", argc, argv,
                            {{"control"}, {"count"}, {"size"}, {"window"}, {"json", false}, {"timeout-ms"}});
  if (!flags.ok()) return usage_error(flags.error(), "ping");
  if (auto st = flags->expect_positionals(1, 1); !st.ok()) return usage_error(st.error(), "ping");
  if (!flags->has("control")) return usage_error(make_error(Errc::invalid_argument, "zmesh ping: --control HOST:PORT is required"), "ping");
  auto node_id = resolve_node_id(flags->string("control"), flags->positionals()[0], 10 * kSecond);
  if (!node_id.ok()) return control_error(make_error(node_id.error().code, "NODEID: " + node_id.error().message), "ping");
  auto count = flags->integer("count", 4, 1, 1'000'000);
  auto size = flags->integer("size", 64, 0, static_cast<std::int64_t>(node::kMaxPingPayloadBytes));
  auto window = flags->integer("window", 8, 1, 256);
  auto timeout_ms = flags->integer("timeout-ms", 600'000, 1, 86'400'000);
  for (const auto* value : {&count, &size, &window, &timeout_ms})
    if (!value->ok()) return usage_error(value->error(), "ping");

  const nlohmann::json request = {{"node_id", node_id->hex()}, {"count", *count}, {"size", *size}, {"window", *window}};
  auto reply = control_call(flags->string("control"), "POST", "/v1/ping", request.dump(), *timeout_ms * kMillisecond);
  if (!reply.ok()) return control_error(reply.error(), "ping");
  const nlohmann::json& r = *reply;
  std::uint64_t received = 0, lost = 0, corrupted = 0;
  try {
    received = r.at("received").get<std::uint64_t>();
    lost = r.at("lost").get<std::uint64_t>();
    corrupted = r.at("corrupted").get<std::uint64_t>();
    if (flags->has("json")) {
      std::printf("%s\n", r.dump(2).c_str());
    } else {
      std::printf("ping %s: %lld x %lld bytes: %llu received, %llu lost, %llu corrupted; rtt min/avg/max %.3f/%.3f/%.3f ms; %.0f ms\n",
                  node_id->short_hex().c_str(), static_cast<long long>(*count), static_cast<long long>(*size),
                  static_cast<unsigned long long>(received), static_cast<unsigned long long>(lost),
                  static_cast<unsigned long long>(corrupted), r.at("rtt_ms").at("min").get<double>(),
                  r.at("rtt_ms").at("avg").get<double>(), r.at("rtt_ms").at("max").get<double>(),
                  r.at("elapsed_ms").get<double>());
      if (r.contains("error")) std::printf("stopped early: %s\n", r.at("error").get<std::string>().c_str());
    }
  } catch (const nlohmann::json::exception& e) {
    return failure(make_error(Errc::malformed, std::string("unexpected answer from the control API: ") + e.what()), "ping");
  }
  const bool perfect = received == static_cast<std::uint64_t>(*count) && lost == 0 && corrupted == 0;
  return perfect ? kExitOk : kExitFailure;
}

const Command kPing{
    "ping", "send pings to a peer of a running node and check the echoes",
    "Usage: zmesh ping NODEID --control HOST:PORT [--count N] [--size B] [--window W] [--json]\n\n"
    "Asks the node at --control (POST /v1/ping, docs/protocol/control.md) to send N ping\n"
    "requests of B random bytes to its peer NODEID over their link (channel 6) and to check\n"
    "that every echo comes back byte for byte. Exits 0 only when all N came back intact; 1 on\n"
    "any loss or corruption (or when NODEID is not a connected peer).\n"
    "NODEID: 64 hex characters, or a unique prefix of an id the node knows (its peers and the\n"
    "descriptors it holds), such as the 12 characters 'zmesh status' prints.\n\n"
    "Options:\n"
    "  --control HOST:PORT   the node's --control address (required)\n"
    "  --count N             pings to send (default 4, up to 1000000)\n"
    "  --size B              payload bytes per ping (default 64, up to 65527)\n"
    "  --window W            pings in flight at once (default 8, up to 256)\n"
    "  --json                print the node's JSON answer\n"
    "  --timeout-ms MS       give up waiting for the answer after MS ms (default 600000)\n",
    run};
ZMESH_REGISTER_COMMAND(kPing);

}  // namespace
}  // namespace zmesh::app
