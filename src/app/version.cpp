#include "app/version.hpp"

#include "zmesh_version.hpp"  // generated in the build directory

namespace zmesh::app {

const char* version_number() { return ZMESH_VERSION; }
const char* version_commit() { return ZMESH_COMMIT; }

}  // namespace zmesh::app
