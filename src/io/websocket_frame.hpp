// RFC 6455 §5 framing, sans-IO: a frame encoder and a strict decoder that reassembles
// fragmented binary messages and surfaces control frames. Every rule violation yields the close
// status the connection must send (§7.4.1): 1002 protocol error, 1003 unsupported data (text:
// zMesh carries binary only), 1007 invalid UTF-8 in a close reason, 1009 too big.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::io::ws {

enum class Opcode : std::uint8_t { continuation = 0x0, text = 0x1, binary = 0x2, close = 0x8, ping = 0x9, pong = 0xA };
enum class Role { client, server };  // which side *this* endpoint is

// RFC 6455 §7.4.1 status codes used here.
inline constexpr std::uint16_t kStatusNormal = 1000;
inline constexpr std::uint16_t kStatusGoingAway = 1001;
inline constexpr std::uint16_t kStatusProtocolError = 1002;
inline constexpr std::uint16_t kStatusUnsupportedData = 1003;
inline constexpr std::uint16_t kStatusNoStatus = 1005;  // never sent: "close frame had no code"
inline constexpr std::uint16_t kStatusInvalidPayload = 1007;
inline constexpr std::uint16_t kStatusTooBig = 1009;

inline constexpr std::size_t kMaxFrameHeaderBytes = 14;
inline constexpr std::size_t kMaxControlPayloadBytes = 125;  // §5.5

using MaskKey = std::array<std::uint8_t, 4>;

// Appends one frame to `out`. `mask` is required for client-to-server frames (§5.3) and must be
// null for server-to-client frames.
void encode_frame(Bytes& out, Opcode opcode, bool fin, ByteView payload, const MaskKey* mask);
// Close frame body (§5.5.1): status code, then a UTF-8 reason; the reason is cut to fit 125 bytes.
Bytes close_payload(std::uint16_t status, std::string_view reason);
bool is_valid_utf8(ByteView text);

struct FrameEvent {
  enum class Kind { message, ping, pong, close };
  Kind kind = Kind::message;
  ByteView payload;  // message bytes, or ping/pong application data; valid during the callback
  std::uint16_t close_status = kStatusNoStatus;  // Kind::close only
  std::string close_reason;
};

class FrameDecoder {
 public:
  FrameDecoder(Role role, std::size_t max_message_bytes) : role_(role), max_message_bytes_(max_message_bytes) {}

  // Decodes all complete frames in `chunk` (plus what was buffered). on_event may return false to
  // stop (its owner went away). On a violation the error is returned and failure_status() tells
  // the close code to send; the decoder then refuses further input. After a close frame the
  // decoder ignores everything (§5.5.1: no data after close).
  Status feed(ByteView chunk, const std::function<bool(const FrameEvent&)>& on_event);
  std::uint16_t failure_status() const { return failure_status_; }
  std::size_t buffered_bytes() const { return buffer_.size(); }

 private:
  Error fail(std::uint16_t status, std::string message);
  // Parses one frame at buffer_[offset...]; 0 = incomplete, else bytes consumed.
  Result<std::size_t> decode_one(std::size_t offset, const std::function<bool(const FrameEvent&)>& on_event, bool& stop);
  Status handle_frame(Opcode opcode, bool fin, MutableByteView payload, const std::function<bool(const FrameEvent&)>& on_event, bool& stop);

  Role role_;
  std::size_t max_message_bytes_;
  Bytes buffer_;
  Bytes fragments_;              // a message being reassembled from continuation frames
  bool in_fragmented_ = false;
  bool closed_ = false;
  std::uint16_t failure_status_ = 0;
};

}  // namespace zmesh::io::ws
