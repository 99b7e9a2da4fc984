// `zmesh circuits`: the onion circuits of a running node, with their paths, from its control API.
#include <cstdio>
#include <string>

#include "app/command.hpp"
#include "app/control_client.hpp"
#include "app/flags.hpp"

namespace zmesh::app {
namespace {

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.resize(width, ' ');
  return text + " ";
}

std::string short_id(const nlohmann::json& hex) { return hex.get<std::string>().substr(0, 12); }

// Throws nlohmann::json::exception on a body of the wrong shape.
std::string format_circuits(const nlohmann::json& answer) {
  const auto& circuits = answer.at("circuits");
  if (circuits.empty()) return "no circuits\n";
  std::string out = pad("ID", 6) + pad("ROLE", 8) + pad("STATE", 9) + pad("AGE", 7) + pad("STREAMS", 8) + pad("BYTES OUT", 11) +
                    pad("BYTES IN", 11) + "PATH\n";
  for (const auto& c : circuits) {
    const std::string role = c.at("role").get<std::string>();
    std::string path;
    if (c.contains("path")) {
      for (const auto& hop : c.at("path")) path += (path.empty() ? "" : " > ") + short_id(hop);
      path += " (exit)";
    } else {
      path = "from " + short_id(c.at("prev")) + (c.contains("next") ? " to " + short_id(c.at("next")) : " (ends here)");
    }
    const std::string state = c.contains("state") ? c.at("state").get<std::string>() : (c.at("open").get<bool>() ? "open" : "setup");
    const std::string age = c.contains("age_seconds") ? std::to_string(static_cast<long long>(c.at("age_seconds").get<double>())) + " s" : "-";
    // A middle hop carries no streams of its own: its columns would only ever read 0.
    const bool middle = role == "middle";
    auto count = [&](const char* key) { return middle ? std::string("-") : std::to_string(c.at(key).get<std::uint64_t>()); };
    out += pad(std::to_string(c.at("id").get<std::uint64_t>()), 6) + pad(role, 8) + pad(state.empty() ? "-" : state, 9) + pad(age, 7) +
           pad(middle ? "-" : count("streams") + "/" + count("streams_opened"), 8) + pad(count("bytes_sent"), 11) +
           pad(count("bytes_received"), 11) + path + "\n";
  }
  return out;
}

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh circuits", argc, argv, {{"control"}, {"json", false}, {"timeout-ms"}});
  if (!flags.ok()) return usage_error(flags.error(), "circuits");
  if (auto st = flags->expect_positionals(0, 0); !st.ok()) return usage_error(st.error(), "circuits");
  if (!flags->has("control")) return usage_error(make_error(Errc::invalid_argument, "--control HOST:PORT is required"), "circuits");
  auto timeout_ms = flags->integer("timeout-ms", 10'000, 1, 3'600'000);
  if (!timeout_ms.ok()) return usage_error(timeout_ms.error(), "circuits");
  auto answer = control_call(flags->string("control"), "GET", "/v1/onion/circuits", "", *timeout_ms * kMillisecond);
  if (!answer.ok()) return control_error(answer.error(), "circuits");
  if (flags->has("json")) {
    std::printf("%s\n", answer->dump(2).c_str());
    return kExitOk;
  }
  try {
    std::fputs(format_circuits(*answer).c_str(), stdout);
  } catch (const nlohmann::json::exception& e) {
    return failure(make_error(Errc::malformed, std::string("unexpected answer from the control API: ") + e.what()), "circuits");
  }
  return kExitOk;
}

const Command kCircuits{
    "circuits", "list a running node's onion circuits and their paths",
    "Usage: zmesh circuits --control HOST:PORT [--json]\n\n"
    "Asks the node's control API (GET /v1/onion/circuits, docs/protocol/control.md) for every\n"
    "circuit it built (role origin), relays (middle) or ends (last_hop), and prints one line\n"
    "each: a node-local id, role, state (origin: building, fresh = takes new streams, stale =\n"
    "finishes its streams then closes, probe), age since ready, live/total streams, stream\n"
    "bytes sent and received, and the path as 12-character node ids (the last hop is the exit;\n"
    "'zmesh lookup' takes them). A relay sees only its neighbours on a circuit, never the path.\n\n"
    "Options:\n"
    "  --control HOST:PORT   the node's --control address (required)\n"
    "  --json                print the JSON answer (circuits[{id, role, open, state, path,\n"
    "                        age_seconds, prev, next, streams, streams_opened, bytes_sent,\n"
    "                        bytes_received, cells_forward, cells_backward}])\n"
    "  --timeout-ms MS       give up after MS milliseconds (default 10000)\n",
    run};
ZMESH_REGISTER_COMMAND(kCircuits);

}  // namespace
}  // namespace zmesh::app
