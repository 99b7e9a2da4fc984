#include "util/log.hpp"

#include <cstdio>

namespace zmesh::log {
namespace {

void stderr_sink(Level level, std::string_view component, std::string_view message) {
  std::fprintf(stderr, "%-5s %.*s: %.*s\n", level_name(level), static_cast<int>(component.size()), component.data(),
               static_cast<int>(message.size()), message.data());
}

Sink& current_sink() {
  static Sink sink = stderr_sink;
  return sink;
}

Level& current_level() {
  static Level minimum = Level::info;
  return minimum;
}

}  // namespace

void set_sink(Sink sink) { current_sink() = sink ? std::move(sink) : Sink(stderr_sink); }
void set_level(Level minimum) { current_level() = minimum; }
Level level() { return current_level(); }

const char* level_name(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warn: return "warn";
    case Level::error: return "error";
  }
  return "?";
}

void write(Level level, std::string_view component, std::string_view message) {
  if (level < current_level()) return;
  current_sink()(level, component, message);
}

}  // namespace zmesh::log
