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

#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace zmesh::app {

// Exit codes shared by every command (kExitCodesHelp says the same to users).
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

// Every error a command prints is one line "zmesh COMMAND: message" on stderr (the message's
// own "zmesh COMMAND: " prefix, if it has one, is not repeated).
std::string error_line(std::string_view command_name, std::string_view message);
// The error line and a hint to run --help; returns kExitUsage.
int usage_error(const Error& error, std::string_view command_name);
// The error line; returns kExitFailure.
int failure(const Error& error, std::string_view command_name);
// For errors of a control API call: a bad --control address (invalid_argument) is a usage
// error, anything else (unreachable, an error answer) a failure.
int control_error(const Error& error, std::string_view command_name);

// The "Exit status" paragraph of `zmesh --help` and the man page.
inline constexpr const char* kExitCodesHelp =
    "Exit status: 0 success; 1 the command ran and failed (a node that cannot start, a control\n"
    "API that cannot be reached, a lost ping, a descriptor not found); 2 usage error (unknown\n"
    "command or flag, bad value, bad config file). Errors are one line on stderr:\n"
    "\"zmesh COMMAND: what went wrong\".\n";

struct CommandRegistrar {
  explicit CommandRegistrar(const Command& command) { register_command(command); }
};

}  // namespace zmesh::app

#define ZMESH_REGISTER_COMMAND(command) \
  static const ::zmesh::app::CommandRegistrar ZM_CONCAT(zmesh_command_registrar_, __LINE__)(command)
