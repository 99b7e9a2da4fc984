#include "app/command.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

namespace zmesh::app {
namespace {

// A function-local static: registrars run during static initialisation, in any order.
std::vector<Command>& table() {
  static std::vector<Command> commands;
  return commands;
}

}  // namespace

void register_command(const Command& command) {
  auto& t = table();
  for (const auto& c : t)
    if (std::strcmp(c.name, command.name) == 0) std::abort();  // two files claim one name
  t.push_back(command);
  std::sort(t.begin(), t.end(), [](const Command& a, const Command& b) { return std::strcmp(a.name, b.name) < 0; });
}

const std::vector<Command>& commands() { return table(); }

const Command* find_command(std::string_view name) {
  for (const auto& c : table())
    if (name == c.name) return &c;
  return nullptr;
}

std::string error_line(std::string_view command_name, std::string_view message) {
  const std::string prefix = "zmesh " + std::string(command_name) + ": ";
  if (message.substr(0, prefix.size()) == prefix) return std::string(message);
  return prefix + std::string(message);
}

int usage_error(const Error& error, std::string_view command_name) {
  std::fprintf(stderr, "%s\nRun 'zmesh %.*s --help' for usage.\n", error_line(command_name, error.message).c_str(),
               static_cast<int>(command_name.size()), command_name.data());
  return kExitUsage;
}

int failure(const Error& error, std::string_view command_name) {
  std::fprintf(stderr, "%s\n", error_line(command_name, error.message).c_str());
  return kExitFailure;
}

int control_error(const Error& error, std::string_view command_name) {
  return error.code == Errc::invalid_argument ? usage_error(error, command_name) : failure(error, command_name);
}

}  // namespace zmesh::app
