// The version `zmesh version`, `zmesh --version` and the man page print: the project version
// and the git commit it was built from (cmake/version_header.cmake).
#pragma once

namespace zmesh::app {

const char* version_number();  // "0.1.0"
const char* version_commit();  // "94528f1a2b3c", "...-dirty", or "unknown"

}  // namespace zmesh::app
