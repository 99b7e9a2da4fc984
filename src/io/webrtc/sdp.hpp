// The SDP offer/answer subset for WebRTC data channels (RFC 8866 syntax; RFC 8841 SCTP-over-DTLS
// m-line, RFC 8839 ICE attributes, RFC 8842 DTLS setup/fingerprint, RFC 8829 JSEP): sans-IO and
// bounded. One m=application section "UDP/DTLS/SCTP webrtc-datachannel"; everything outside what
// a data channel needs is ignored, and anything malformed inside it is an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "io/webrtc/ice_candidate.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::io::webrtc {

inline constexpr std::size_t kMaxSdpBytes = 64 * 1024;
inline constexpr std::size_t kMaxSdpLines = 1024;
inline constexpr std::size_t kMaxSdpCandidates = 64;
inline constexpr std::uint16_t kDefaultSctpPort = 5000;
// RFC 8841 §6.1: without a=max-message-size the peer may send at most 64 KiB.
inline constexpr std::uint64_t kDefaultRemoteMaxMessageBytes = 64 * 1024;

enum class SdpType { offer, answer };
const char* sdp_type_name(SdpType type);
Result<SdpType> parse_sdp_type(std::string_view name);

// RFC 8842 §5.2 / RFC 4145 a=setup: who is the DTLS client ("active").
enum class DtlsSetup { actpass, active, passive };
const char* dtls_setup_name(DtlsSetup setup);

// a=fingerprint:sha-256 AB:CD:... (RFC 8122 §5); only SHA-256 is used.
struct CertificateFingerprint {
  ByteArray<32> sha256{};
  std::string to_sdp() const;  // "sha-256 AB:CD:..."
  friend bool operator==(const CertificateFingerprint&, const CertificateFingerprint&) = default;
};
Result<CertificateFingerprint> parse_fingerprint(std::string_view value);

struct SdpDescription {
  std::string session_id = "0";  // o= line, decimal
  std::string mid = "0";
  bool bundle = false;  // a=group:BUNDLE <mid>
  std::string ice_ufrag;
  std::string ice_pwd;
  bool ice_trickle = true;
  bool ice_lite = false;
  CertificateFingerprint fingerprint;
  DtlsSetup setup = DtlsSetup::actpass;
  std::uint16_t sctp_port = kDefaultSctpPort;
  std::uint64_t max_message_size = kDefaultRemoteMaxMessageBytes;  // 0 = no limit (RFC 8841 §6.1)
  std::vector<IceCandidate> candidates;
  bool end_of_candidates = false;

  friend bool operator==(const SdpDescription&, const SdpDescription&) = default;
};

Result<SdpDescription> parse_sdp(std::string_view text);
std::string write_sdp(const SdpDescription& description);

}  // namespace zmesh::io::webrtc
