// Configuration of the native WebRTC stack (node config: [webrtc] stun/turn servers).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "io/webrtc/ice_candidate.hpp"
#include "runtime/time.hpp"

namespace zmesh::io::webrtc {

struct IceServer {
  enum class Kind { stun, turn_udp } kind = Kind::stun;
  std::string host;  // IP literal (libnice does not resolve names)
  std::uint16_t port = 3478;
  std::string username;  // TURN long-term credentials (RFC 8489 §9.2)
  std::string password;
};

struct RtcConfig {
  std::vector<IceServer> ice_servers;
  // Only relay candidates are gathered, signaled and paired (RTCIceTransportPolicy "relay").
  bool relay_only = false;
  // Gather only on these local IPs (empty: every interface libnice finds).
  std::vector<std::string> local_addresses;
  // Remote candidates this returns false for are ignored (tests: loopback only).
  std::function<bool(const IceCandidate&)> accept_remote_candidate;
  // What we advertise in a=max-message-size: the largest message we accept.
  std::size_t max_message_bytes = 256 * 1024;
  std::size_t send_buffer_bytes = 4 << 20;
  // Offer/answer to open channel; ICE, DTLS and SCTP must all be done by then.
  DurationUs connect_timeout = 15 * kSecond;
};

// True for 127.0.0.0/8 and ::1 candidates (loopback-only tests).
bool is_loopback_candidate(const IceCandidate& candidate);

}  // namespace zmesh::io::webrtc
