#include <cstdio>

#include "app/command.hpp"
#include "app/flags.hpp"

#ifndef ZMESH_VERSION
#define ZMESH_VERSION "unknown"
#endif

namespace zmesh::app {
namespace {

int run(int argc, char** argv) {
  auto flags = Flags::parse("zmesh version", argc, argv, {});
  if (!flags.ok()) return usage_error(flags.error(), "version");
  if (auto st = flags->expect_positionals(0, 0); !st.ok()) return usage_error(st.error(), "version");
  std::printf("zmesh %s\n", ZMESH_VERSION);
  return kExitOk;
}

const Command kVersion{"version", "print the version", "Usage: zmesh version\n\nPrints the zmesh version.\n", run};
ZMESH_REGISTER_COMMAND(kVersion);

}  // namespace
}  // namespace zmesh::app
