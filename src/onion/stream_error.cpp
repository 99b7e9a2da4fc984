#include "onion/stream_error.hpp"

namespace zmesh::onion {

const char* stream_error_name(StreamError error) {
  switch (error) {
    case StreamError::none: return "none";
    case StreamError::misc: return "misc";
    case StreamError::exit_policy: return "refused by exit policy";
    case StreamError::resolve_failed: return "DNS resolution failed";
    case StreamError::connection_refused: return "connection refused";
    case StreamError::unreachable: return "host unreachable";
    case StreamError::timeout: return "timeout";
    case StreamError::connection_reset: return "connection reset";
    case StreamError::protocol_violation: return "protocol violation";
    case StreamError::resource_limit: return "resource limit";
    case StreamError::aborted: return "aborted";
    case StreamError::circuit_closed: return "circuit closed";
  }
  return "unknown";
}

}  // namespace zmesh::onion
