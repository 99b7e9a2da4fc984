// The `zmesh` command table. A command is one file in src/app/commands/ that defines a
// Command and registers it with ZMESH_REGISTER_COMMAND; the build picks the file up, and
// `zmesh help` lists it. Nothing else needs editing.
//
//   static int run(int argc, char** argv) { ... }   // argv: the arguments after the command name
//   const Command kPut{"put", "store a file in the mesh", "Usage: zmesh put FILE\n...", run};
//   ZMESH_REGISTER_COMMAND(kPut);
//
// `zmesh COMMAND --help` (or -h anywhere before "--") prints `usage` without calling run.
#pragma once

#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace zmesh::app {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the command ran and failed
inline constexpr int kExitUsage = 2;    // unknown command or flag, bad value

struct Command {
  const char* name;
  const char* summary;  // one line, lower case, no final period
  const char* usage;    // full help text, ends with a newline
  int (*run)(int argc, char** argv);
};

void register_command(const Command& command);
// Every registered command, sorted by name.
const std::vector<Command>& commands();
const Command* find_command(std::string_view name);

// Prints "zmesh: <message>" and a hint to stderr; returns kExitUsage.
int usage_error(const Error& error, std::string_view command_name);
// Prints the error to stderr; returns kExitFailure.
int failure(const Error& error);

struct CommandRegistrar {
  explicit CommandRegistrar(const Command& command) { register_command(command); }
};

}  // namespace zmesh::app

#define ZMESH_REGISTER_COMMAND(command) \
  static const ::zmesh::app::CommandRegistrar ZM_CONCAT(zmesh_command_registrar_, __LINE__)(command)
