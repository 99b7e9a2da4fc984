#include "io/length_framing.hpp"

#include <algorithm>
#include <string>

namespace zmesh::io {

std::array<std::uint8_t, kFrameHeaderBytes> encode_frame_header(std::uint32_t length) {
  return {static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
          static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
}

static std::uint32_t read_length(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

Status LengthFrameDecoder::feed(ByteView chunk, const std::function<bool(ByteView)>& on_message) {
  if (failed_) return make_error(Errc::protocol_violation, "decoder already failed");
  std::size_t pos = 0;
  // Whole messages inside `chunk` are delivered straight from it; only a partial tail is copied.
  while (true) {
    if (!buffer_.empty()) {
      if (buffer_.size() < kFrameHeaderBytes) {
        std::size_t take = std::min(kFrameHeaderBytes - buffer_.size(), chunk.size() - pos);
        buffer_.insert(buffer_.end(), chunk.begin() + static_cast<std::ptrdiff_t>(pos),
                       chunk.begin() + static_cast<std::ptrdiff_t>(pos + take));
        pos += take;
        if (buffer_.size() < kFrameHeaderBytes) return {};
        std::uint32_t length = read_length(buffer_.data());
        if (length > max_message_bytes_) {
          failed_ = true;
          return make_error(Errc::too_large, "message of " + std::to_string(length) + " bytes exceeds limit of " +
                                                 std::to_string(max_message_bytes_));
        }
      }
      std::size_t need = kFrameHeaderBytes + read_length(buffer_.data());
      std::size_t take = std::min(need - buffer_.size(), chunk.size() - pos);
      buffer_.insert(buffer_.end(), chunk.begin() + static_cast<std::ptrdiff_t>(pos),
                     chunk.begin() + static_cast<std::ptrdiff_t>(pos + take));
      pos += take;
      if (buffer_.size() < need) return {};  // chunk exhausted mid-frame
      Bytes message(buffer_.begin() + kFrameHeaderBytes, buffer_.end());
      buffer_.clear();
      if (!on_message(message)) return {};
      continue;
    }
    std::size_t left = chunk.size() - pos;
    if (left == 0) return {};
    if (left < kFrameHeaderBytes) {
      buffer_.assign(chunk.begin() + static_cast<std::ptrdiff_t>(pos), chunk.end());
      return {};
    }
    std::uint32_t length = read_length(chunk.data() + pos);
    if (length > max_message_bytes_) {
      failed_ = true;
      return make_error(Errc::too_large, "message of " + std::to_string(length) + " bytes exceeds limit of " +
                                             std::to_string(max_message_bytes_));
    }
    if (left - kFrameHeaderBytes < length) {
      buffer_.reserve(kFrameHeaderBytes + length);
      buffer_.assign(chunk.begin() + static_cast<std::ptrdiff_t>(pos), chunk.end());
      return {};
    }
    if (!on_message(chunk.subspan(pos + kFrameHeaderBytes, length))) return {};
    pos += kFrameHeaderBytes + length;
  }
}

}  // namespace zmesh::io
