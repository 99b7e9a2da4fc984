// `zmesh COMMAND [ARGS...]`: dispatches to the command table (app/command.hpp).
#include <cstdio>
#include <cstring>
#include <string_view>

#include "app/command.hpp"

namespace {

bool asks_for_help(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace zmesh::app;
  std::string_view first = argc > 1 ? argv[1] : "";
  if (first.empty() || first == "--help" || first == "-h") {
    const Command* help = find_command("help");
    int rc = help->run(0, nullptr);
    return first.empty() ? kExitUsage : rc;  // a bare `zmesh` is a usage error after the overview
  }
  if (first == "--version") return find_command("version")->run(0, nullptr);
  const Command* command = find_command(first);
  if (!command) {
    std::fprintf(stderr, "zmesh: unknown %s '%s'\nRun 'zmesh --help' for the list of commands.\n",
                 first[0] == '-' ? "option" : "command", argv[1]);
    return kExitUsage;
  }
  if (asks_for_help(argc - 2, argv + 2)) {
    std::fputs(command->usage, stdout);
    return kExitOk;
  }
  return command->run(argc - 2, argv + 2);
}
