// The JSON messages of the WebRTC signaling protocol (docs/protocol/signaling.md), sans-IO:
// offer/answer descriptions, trickled candidates, "request-offer" (the other side should offer)
// and errors. One message per WebSocket message (binary frames carrying UTF-8 JSON).
#pragma once

#include <string>
#include <string_view>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::io::webrtc {

inline constexpr std::size_t kMaxSignalBytes = 64 * 1024;

enum class SignalType { offer, answer, candidate, end_of_candidates, request_offer, error };
const char* signal_type_name(SignalType type);

struct SignalMessage {
  SignalType type = SignalType::offer;
  std::string sdp;        // offer, answer
  std::string candidate;  // candidate: "candidate:..." (RFC 8839 §5.1)
  std::string mid = "0";  // candidate: sdpMid
  std::string message;    // error: human-readable reason

  static SignalMessage description(SignalType type, std::string sdp);
  static SignalMessage ice_candidate(std::string candidate, std::string mid);
  static SignalMessage end_of_candidates();
  static SignalMessage request_offer();
  static SignalMessage failure(std::string message);
  friend bool operator==(const SignalMessage&, const SignalMessage&) = default;
};

// Errc::too_large above kMaxSignalBytes, Errc::malformed for bad JSON, a missing or unknown
// "type", or missing fields. Unknown fields are ignored (forward compatibility). A candidate
// message with an empty candidate string means end-of-candidates, as in the browser API.
Result<SignalMessage> decode_signal(ByteView json);
std::string encode_signal(const SignalMessage& message);

}  // namespace zmesh::io::webrtc
