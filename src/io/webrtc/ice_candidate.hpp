// ICE candidate attribute (RFC 8839 §5.1), sans-IO: the "candidate:..." text that SDP carries as
// an a=candidate line and trickle signaling carries alone. A bounded parser for peer input and
// the one formatter this node uses for its own candidates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace zmesh::io::webrtc {

enum class CandidateType { host, srflx, prflx, relay };
const char* candidate_type_name(CandidateType type);

inline constexpr std::size_t kMaxCandidateBytes = 1024;       // one candidate line
inline constexpr std::size_t kMaxCandidateExtensions = 16;    // "generation 0 network-cost 10 ..."

struct IceCandidate {
  std::string foundation;  // 1*32 ice-char
  std::uint16_t component = 1;
  std::string transport = "udp";  // lowercased; "udp" or "tcp"
  std::uint32_t priority = 0;
  std::string address;  // IPv4/IPv6 literal, or an mDNS name (".local") we cannot use
  std::uint16_t port = 0;
  CandidateType type = CandidateType::host;
  std::optional<std::string> related_address;
  std::optional<std::uint16_t> related_port;
  std::vector<std::pair<std::string, std::string>> extensions;  // tcptype, generation, ufrag, ...

  bool is_udp() const { return transport == "udp"; }
  friend bool operator==(const IceCandidate&, const IceCandidate&) = default;
};

// Accepts "candidate:...", "a=candidate:..." or the bare attribute value. Errc::malformed /
// too_large on anything outside the grammar or the bounds above.
Result<IceCandidate> parse_candidate(std::string_view text);
// "candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ..."
// (no "a=" prefix, no line ending).
std::string format_candidate(const IceCandidate& candidate);

}  // namespace zmesh::io::webrtc
