// Message framing for plain TCP (docs/protocol/transports.md §TCP): each message is a u32
// big-endian length followed by that many bytes. A sans-IO decoder: feed it arbitrary chunks,
// it yields whole messages, and refuses lengths above its bound before buffering anything.
#pragma once

#include <array>
#include <cstdint>
#include <functional>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::io {

inline constexpr std::size_t kFrameHeaderBytes = 4;
inline constexpr std::size_t kDefaultMaxMessageBytes = 64 * 1024;
// No configuration may exceed this: it bounds what one hostile length field can make us buffer.
inline constexpr std::size_t kHardMaxMessageBytes = 16 * 1024 * 1024;

std::array<std::uint8_t, kFrameHeaderBytes> encode_frame_header(std::uint32_t length);

class LengthFrameDecoder {
 public:
  using MessageCallback = std::function<void(ByteView message)>;

  explicit LengthFrameDecoder(std::size_t max_message_bytes = kDefaultMaxMessageBytes)
      : max_message_bytes_(max_message_bytes) {}

  // Calls on_message for every message completed by `chunk`. A too-large length is an error
  // (Errc::too_large) and leaves the decoder failed. on_message may return false to stop early
  // (its owner went away); feed then returns at once with success.
  Status feed(ByteView chunk, const std::function<bool(ByteView)>& on_message);

  std::size_t buffered_bytes() const { return buffer_.size(); }
  bool failed() const { return failed_; }

 private:
  std::size_t max_message_bytes_;
  Bytes buffer_;  // a partial header or message; never above header + max_message_bytes
  bool failed_ = false;
};

}  // namespace zmesh::io
