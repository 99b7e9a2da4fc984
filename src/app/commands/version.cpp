#include <cstdio>

#include "app/command.hpp"
#include "app/flags.hpp"
#include "app/version.hpp"


namespace zmesh::app {
namespace {

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh version", argc, argv, {});
  if (!flags.ok()) return usage_error(flags.error(), "version");
  if (auto st = flags->expect_positionals(0, 0); !st.ok()) return usage_error(st.error(), "version");
  std::printf("zmesh %s (commit %s)\n", version_number(), version_commit());
  return kExitOk;
}

const Command kVersion{"version", "print the version", "Usage: zmesh version\n\nPrints the zmesh version and the git commit it was built from\n"
                       "(\"-dirty\": with uncommitted changes; \"unknown\": not built from a git checkout).\n", run};
ZMESH_REGISTER_COMMAND(kVersion);

}  // namespace
}  // namespace zmesh::app
