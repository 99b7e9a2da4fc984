#include "util/result.hpp"

namespace zmesh {

const char* errc_name(Errc code) {
  switch (code) {
    case Errc::invalid_argument: return "invalid argument";
    case Errc::truncated: return "truncated";
    case Errc::malformed: return "malformed";
    case Errc::too_large: return "too large";
    case Errc::verify_failed: return "verification failed";
    case Errc::crypto_failure: return "crypto failure";
    case Errc::expired: return "expired";
    case Errc::not_found: return "not found";
    case Errc::limit_exceeded: return "limit exceeded";
    case Errc::protocol_violation: return "protocol violation";
    case Errc::timeout: return "timeout";
    case Errc::closed: return "closed";
    case Errc::io_error: return "I/O error";
  }
  return "unknown error";
}

}  // namespace zmesh
