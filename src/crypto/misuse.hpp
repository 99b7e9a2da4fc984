// Programming errors inside src/crypto (a wrong-size key from our own code, not peer input)
// abort with a message: continuing with a misused primitive is never safe.
#pragma once

namespace zmesh::crypto::detail {

[[noreturn]] void misuse(const char* what);

}  // namespace zmesh::crypto::detail
