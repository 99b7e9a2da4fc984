// Data Channel Establishment Protocol (RFC 8832), sans-IO: DATA_CHANNEL_OPEN and
// DATA_CHANNEL_ACK, carried on the channel's own SCTP stream with PPID 50. Byte layouts in
// docs/webrtc.md §DCEP.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::io::webrtc {

// RFC 8831 §8 / RFC 8832 §8.2.1: SCTP payload protocol identifiers.
enum class Ppid : std::uint32_t {
  dcep = 50,
  string = 51,
  binary = 53,
  string_empty = 56,
  binary_empty = 57,
};

// RFC 8832 §5.1 channel types: high bit = unordered, low bits = reliability policy.
enum class ChannelType : std::uint8_t {
  reliable = 0x00,
  reliable_unordered = 0x80,
  partial_reliable_rexmit = 0x01,
  partial_reliable_rexmit_unordered = 0x81,
  partial_reliable_timed = 0x02,
  partial_reliable_timed_unordered = 0x82,
};

inline bool is_unordered(ChannelType type) { return (static_cast<std::uint8_t>(type) & 0x80) != 0; }
inline bool is_rexmit_limited(ChannelType type) { return (static_cast<std::uint8_t>(type) & 0x7f) == 0x01; }
inline bool is_time_limited(ChannelType type) { return (static_cast<std::uint8_t>(type) & 0x7f) == 0x02; }

inline constexpr std::uint8_t kDcepOpen = 0x03;
inline constexpr std::uint8_t kDcepAck = 0x02;

struct DcepOpen {
  ChannelType channel_type = ChannelType::reliable;
  std::uint16_t priority = 256;
  // Max retransmissions (rexmit) or lifetime in ms (timed); must be 0 for reliable channels.
  std::uint32_t reliability_parameter = 0;
  std::string label;
  std::string protocol;
  friend bool operator==(const DcepOpen&, const DcepOpen&) = default;
};

struct DcepAck {
  friend bool operator==(const DcepAck&, const DcepAck&) = default;
};

using DcepMessage = std::variant<DcepOpen, DcepAck>;

// Strict: unknown message or channel type, short or over-long input are errors.
Result<DcepMessage> decode_dcep(ByteView message);
Bytes encode_dcep(const DcepOpen& open);  // label/protocol over 65535 bytes are a programming error
Bytes encode_dcep(const DcepAck& ack);

}  // namespace zmesh::io::webrtc
