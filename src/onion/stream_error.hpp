// Why a stream could not open or ended abnormally. The values below kFirstLocalStreamError
// travel in BEGIN_FAILED and RESET messages (docs/protocol/streams.md); the others are only
// ever reported to the local application. socks5_server.hpp maps them to SOCKS5 reply codes.
#pragma once

#include <cstdint>

namespace zmesh::onion {

enum class StreamError : std::uint8_t {
  none = 0,                // RESET: acknowledges the peer's RESET; never in BEGIN_FAILED
  misc = 1,                // anything not listed
  exit_policy = 2,         // the exit's policy refuses this address and port
  resolve_failed = 3,      // the exit could not resolve the name
  connection_refused = 4,  // the target refused the TCP connection
  unreachable = 5,         // no route to the target host or network
  timeout = 6,             // connecting (at the exit or end to end) took too long
  connection_reset = 7,    // the target's connection broke after it was established
  protocol_violation = 8,  // the peer broke the stream protocol
  resource_limit = 9,      // too many streams or too much buffered data at the peer
  aborted = 10,            // the application at the other end gave up on the stream
  // Local only (never encoded):
  circuit_closed = 100,    // the circuit under the stream failed or was closed
};

inline constexpr std::uint8_t kLastWireStreamError = 10;
inline constexpr std::uint8_t kFirstLocalStreamError = 100;

inline bool is_wire_stream_error(std::uint8_t value) { return value <= kLastWireStreamError; }

const char* stream_error_name(StreamError error);

}  // namespace zmesh::onion
