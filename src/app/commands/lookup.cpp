// `zmesh lookup`: ask a running node to find a NodeId's signed descriptor in the DHT and print
// it, verified, as JSON.
#include <cstdio>
#include <string>

#include "app/command.hpp"
#include "app/control_client.hpp"
#include "app/flags.hpp"
#include "app/node_id_prefix.hpp"
#include "identity/node_id.hpp"

namespace zmesh::app {
namespace {

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh lookup", argc, argv, {{"control"}, {"timeout"}});
  if (!flags.ok()) return usage_error(flags.error(), "lookup");
  if (auto st = flags->expect_positionals(1, 1); !st.ok()) return usage_error(st.error(), "lookup");
  if (!flags->has("control")) return usage_error(make_error(Errc::invalid_argument, "zmesh lookup: --control HOST:PORT is required"), "lookup");
  auto node_id = resolve_node_id(flags->string("control"), flags->positionals()[0], 10 * kSecond);
  if (!node_id.ok()) return control_error(make_error(node_id.error().code, "NODEID: " + node_id.error().message), "lookup");
  auto timeout = flags->integer("timeout", 70, 1, 3600);
  if (!timeout.ok()) return usage_error(timeout.error(), "lookup");

  auto reply = control_request(flags->string("control"), "GET", "/v1/lookup?node_id=" + node_id->hex(), "",
                               *timeout * kSecond);
  if (!reply.ok()) return control_error(reply.error(), "lookup");
  const auto error_text = [&] {
    return reply->body.is_object() && reply->body.contains("error") && reply->body.at("error").is_string()
               ? reply->body.at("error").get<std::string>()
               : std::string("HTTP ") + std::to_string(reply->status);
  };
  if (reply->status == 404) {
    std::fprintf(stderr, "zmesh lookup: %s not found: %s\n", node_id->short_hex().c_str(), error_text().c_str());
    return kExitFailure;
  }
  if (reply->status != 200 || !reply->body.is_object()) {
    std::fprintf(stderr, "zmesh lookup: %s: lookup failed: %s\n", node_id->short_hex().c_str(), error_text().c_str());
    return kExitFailure;
  }
  std::printf("%s\n", reply->body.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  return kExitOk;
}

const Command kLookup{
    "lookup", "find a node's signed descriptor in the DHT through a running node",
    "Usage: zmesh lookup NODEID --control HOST:PORT [--timeout S]\n\n"
    "Asks the node at --control (GET /v1/lookup, docs/protocol/control.md) to look NODEID up\n"
    "in the Kademlia DHT. The node accepts only a descriptor signed by NODEID's own key and\n"
    "still valid; it is printed as JSON (node_id, sequence, created_at, expires_at,\n"
    "capabilities, addresses, onion key ids and validity). Exits 0 when found; 1 when no\n"
    "valid descriptor was found, the lookup timed out, or the node could not be asked.\n"
    "NODEID: 64 hex characters, or a unique prefix of an id the node knows (its peers and the\n"
    "descriptors it holds), such as the 12 characters 'zmesh status' prints.\n\n"
    "Options:\n"
    "  --control HOST:PORT   the node's --control address (required)\n"
    "  --timeout S           give up waiting for the answer after S seconds (default 70;\n"
    "                        the node ends every lookup within 60 s)\n",
    run};
ZMESH_REGISTER_COMMAND(kLookup);

}  // namespace
}  // namespace zmesh::app
