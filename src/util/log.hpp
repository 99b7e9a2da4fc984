// Logging facade. Cores log through this; the driver decides where lines go
// (stderr natively, console in the browser, a trace buffer in the simulator).
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace zmesh::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

using Sink = std::function<void(Level, std::string_view component, std::string_view message)>;

// Replaces the process-wide sink (default: stderr, level info). Not thread-safe; set it at startup.
void set_sink(Sink sink);
void set_level(Level minimum);
Level level();
const char* level_name(Level level);

void write(Level level, std::string_view component, std::string_view message);

inline void debug(std::string_view c, std::string_view m) { write(Level::debug, c, m); }
inline void info(std::string_view c, std::string_view m) { write(Level::info, c, m); }
inline void warn(std::string_view c, std::string_view m) { write(Level::warn, c, m); }
inline void error(std::string_view c, std::string_view m) { write(Level::error, c, m); }

}  // namespace zmesh::log
