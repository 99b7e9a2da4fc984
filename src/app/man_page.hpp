// zmesh(1) in roff, generated from the command table: the same summaries and usage texts that
// `zmesh --help` and `zmesh COMMAND --help` print, so the two never disagree. `zmesh help --man`
// prints it; the build writes it to build/zmesh.1 and `make install` installs it.
#pragma once

#include <string>
#include <vector>

#include "app/command.hpp"

namespace zmesh::app {

std::string man_page(const std::vector<Command>& commands, const std::string& version);

// Text made safe for roff: backslashes escaped, a line starting with '.' or '\'' protected.
std::string roff_escape(const std::string& text);

}  // namespace zmesh::app
