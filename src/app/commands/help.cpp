#include <algorithm>
#include <cstdio>
#include <cstring>

#include "app/command.hpp"
#include "app/flags.hpp"
#include "app/man_page.hpp"
#include "app/version.hpp"

namespace zmesh::app {
namespace {

void print_overview() {
  std::printf(
      "zmesh: a decentralized privacy overlay network\n\n"
      "Usage: zmesh COMMAND [OPTIONS]\n\nCommands:\n");
  std::size_t width = 0;
  for (const auto& c : commands()) width = std::max(width, std::strlen(c.name));
  for (const auto& c : commands()) std::printf("  %-*s  %s\n", static_cast<int>(width), c.name, c.summary);
  std::printf("\nRun 'zmesh COMMAND --help' for a command's options.\n\n%s", kExitCodesHelp);
}

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh help", argc, argv, {{"man", false}});
  if (!flags.ok()) return usage_error(flags.error(), "help");
  if (auto st = flags->expect_positionals(0, 1); !st.ok()) return usage_error(st.error(), "help");
  if (flags->has("man")) {
    if (!flags->positionals().empty()) return usage_error(make_error(Errc::invalid_argument, "--man takes no COMMAND"), "help");
    std::fputs(man_page(commands(), std::string(version_number()) + " (commit " + version_commit() + ")").c_str(), stdout);
    return kExitOk;
  }
  if (flags->positionals().empty()) {
    print_overview();
    return kExitOk;
  }
  const std::string& name = flags->positionals()[0];
  const Command* command = find_command(name);
  if (!command) {
    std::fprintf(stderr, "zmesh help: unknown command '%s'\nRun 'zmesh --help' for the list of commands.\n", name.c_str());
    return kExitUsage;
  }
  std::fputs(command->usage, stdout);
  return kExitOk;
}

const Command kHelp{"help", "list the commands, or show one command's options",
                    "Usage: zmesh help [COMMAND | --man]\n\n"
                    "Without COMMAND, lists every command with a one-line summary.\n"
                    "With COMMAND, prints its usage (the same as 'zmesh COMMAND --help').\n"
                    "With --man, prints the zmesh(1) man page (roff) made from the same texts.\n",
                    run};
ZMESH_REGISTER_COMMAND(kHelp);

}  // namespace
}  // namespace zmesh::app
