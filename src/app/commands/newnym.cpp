// `zmesh newnym`: new circuits for new streams (Tor's NEWNYM signal), through the control API.
#include <cstdio>

#include "app/command.hpp"
#include "app/control_client.hpp"
#include "app/flags.hpp"

namespace zmesh::app {
namespace {

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh newnym", argc, argv, {{"control"}});
  if (!flags.ok()) return usage_error(flags.error(), "newnym");
  if (auto st = flags->expect_positionals(0, 0); !st.ok()) return usage_error(st.error(), "newnym");
  if (!flags->has("control")) return usage_error(make_error(Errc::invalid_argument, "--control HOST:PORT is required"), "newnym");
  auto answer = control_call(flags->string("control"), "POST", "/v1/onion/newnym", "", 10 * kSecond);
  if (!answer.ok()) return control_error(answer.error(), "newnym");
  const auto retired = answer->value("retired", std::uint64_t{0});
  std::printf("new streams will use new circuits (%llu ready circuits retired)\n", static_cast<unsigned long long>(retired));
  return kExitOk;
}

const Command kNewnym{
    "newnym", "make new streams use new circuits (Tor's NEWNYM)",
    "Usage: zmesh newnym --control HOST:PORT\n\n"
    "Asks the node (POST /v1/onion/newnym, docs/protocol/control.md) to stop giving new streams\n"
    "to the circuits it has: streams already open finish on them, then those circuits close;\n"
    "every stream opened from now on goes over a circuit built after this command, so a\n"
    "website cannot link what you do next to what you did before through the exit.\n\n"
    "Options:\n"
    "  --control HOST:PORT   the node's --control address (required)\n",
    run};
ZMESH_REGISTER_COMMAND(kNewnym);

}  // namespace
}  // namespace zmesh::app
