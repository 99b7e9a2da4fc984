#include "io/websocket_frame.hpp"

#include <algorithm>

namespace zmesh::io::ws {

void encode_frame(Bytes& out, Opcode opcode, bool fin, ByteView payload, const MaskKey* mask) {
  // RFC 6455 §5.2 base framing: FIN|RSV1-3|opcode, MASK|len7, extended length, mask key.
  out.push_back(static_cast<std::uint8_t>((fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(opcode)));
  std::uint8_t mask_bit = mask != nullptr ? 0x80 : 0x00;
  std::uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<std::uint8_t>(mask_bit | n));
  } else if (n <= 0xffff) {
    out.push_back(mask_bit | 126);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    out.push_back(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(n >> shift));
  }
  std::size_t start = out.size();
  if (mask != nullptr) {
    out.insert(out.end(), mask->begin(), mask->end());
    start += 4;
  }
  append(out, payload);
  if (mask != nullptr) {
    // §5.3: octet i of the payload is XORed with octet i mod 4 of the masking key.
    for (std::size_t i = 0; i < payload.size(); ++i) out[start + i] ^= (*mask)[i & 3];
  }
}

Bytes close_payload(std::uint16_t status, std::string_view reason) {
  Bytes out{static_cast<std::uint8_t>(status >> 8), static_cast<std::uint8_t>(status)};
  std::size_t room = kMaxControlPayloadBytes - 2;
  if (reason.size() > room) {
    reason = reason.substr(0, room);
    // Do not cut a UTF-8 sequence in half.
    while (!reason.empty() && (static_cast<unsigned char>(reason.back()) & 0xC0) == 0x80) reason.remove_suffix(1);
    if (!reason.empty() && static_cast<unsigned char>(reason.back()) >= 0xC0) reason.remove_suffix(1);
  }
  append(out, as_bytes(reason));
  return out;
}

bool is_valid_utf8(ByteView s) {
  // RFC 3629 §4: shortest form only, no surrogates, at most U+10FFFF.
  std::size_t i = 0;
  while (i < s.size()) {
    std::uint8_t c = s[i];
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

Error FrameDecoder::fail(std::uint16_t status, std::string message) {
  failure_status_ = status;
  buffer_.clear();
  fragments_.clear();
  return make_error(status == kStatusTooBig ? Errc::too_large : Errc::protocol_violation, "WebSocket: " + message);
}

Status FrameDecoder::feed(ByteView chunk, const std::function<bool(const FrameEvent&)>& on_event) {
  if (failure_status_ != 0) return make_error(Errc::protocol_violation, "WebSocket: decoder already failed");
  if (closed_) return {};
  append(buffer_, chunk);
  std::size_t offset = 0;
  while (offset < buffer_.size() && !closed_) {
    bool stop = false;
    ZM_TRY(std::size_t used, decode_one(offset, on_event, stop));
    if (stop) return {};  // the owner (and maybe this decoder) is gone: touch nothing
    if (used == 0) break;
    offset += used;
  }
  if (closed_) {
    // Bytes after the close frame are never decoded (§5.5.1): drop them rather than keep up to
    // a whole read chunk (and any half-reassembled message) alive until the connection ends.
    buffer_ = Bytes();
    fragments_ = Bytes();
    return {};
  }
  buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(std::min(offset, buffer_.size())));
  return {};
}

Result<std::size_t> FrameDecoder::decode_one(std::size_t offset, const std::function<bool(const FrameEvent&)>& on_event,
                                             bool& stop) {
  std::size_t avail = buffer_.size() - offset;
  const std::uint8_t* p = buffer_.data() + offset;
  if (avail < 2) return std::size_t{0};
  bool fin = (p[0] & 0x80) != 0;
  // §5.2: RSV1-3 MUST be 0 unless an extension defines them; we negotiate none.
  if ((p[0] & 0x70) != 0) return fail(kStatusProtocolError, "reserved bits set");
  auto opcode = static_cast<Opcode>(p[0] & 0x0F);
  bool control = (p[0] & 0x08) != 0;
  switch (opcode) {
    case Opcode::continuation: case Opcode::text: case Opcode::binary:
    case Opcode::close: case Opcode::ping: case Opcode::pong: break;
    default: return fail(kStatusProtocolError, "unknown opcode");
  }
  bool masked = (p[1] & 0x80) != 0;
  // §5.1: clients mask every frame, servers none; a violation fails the connection.
  if (role_ == Role::server && !masked) return fail(kStatusProtocolError, "client frame not masked");
  if (role_ == Role::client && masked) return fail(kStatusProtocolError, "server frame masked");
  std::uint64_t length = p[1] & 0x7F;
  std::size_t header = 2;
  if (length == 126) {
    if (avail < 4) return std::size_t{0};
    length = (std::uint64_t{p[2]} << 8) | p[3];
    header = 4;
    if (length < 126) return fail(kStatusProtocolError, "non-minimal length encoding");
  } else if (length == 127) {
    if (avail < 10) return std::size_t{0};
    length = 0;
    for (int i = 0; i < 8; ++i) length = (length << 8) | p[2 + i];
    header = 10;
    if (length >> 63) return fail(kStatusProtocolError, "length with the most significant bit set");
    if (length <= 0xffff) return fail(kStatusProtocolError, "non-minimal length encoding");
  }
  // §5.5: control frames are never fragmented and carry at most 125 bytes.
  if (control && (!fin || length > kMaxControlPayloadBytes)) return fail(kStatusProtocolError, "invalid control frame");
  if (!control && length + (in_fragmented_ ? fragments_.size() : 0) > max_message_bytes_) {
    return fail(kStatusTooBig, "message larger than " + std::to_string(max_message_bytes_) + " bytes");
  }
  if (masked) header += 4;
  if (avail < header + length) return std::size_t{0};
  MutableByteView payload(buffer_.data() + offset + header, static_cast<std::size_t>(length));
  if (masked) {
    const std::uint8_t* key = buffer_.data() + offset + header - 4;
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] ^= key[i & 3];
  }
  ZM_CHECK(handle_frame(opcode, fin, payload, on_event, stop));
  return header + static_cast<std::size_t>(length);
}

Status FrameDecoder::handle_frame(Opcode opcode, bool fin, MutableByteView payload,
                                  const std::function<bool(const FrameEvent&)>& on_event, bool& stop) {
  FrameEvent event;
  switch (opcode) {
    case Opcode::text:
      return fail(kStatusUnsupportedData, "text messages are not accepted (binary only)");
    case Opcode::binary:
      // §5.4: a new data frame inside a fragmented message is an error.
      if (in_fragmented_) return fail(kStatusProtocolError, "data frame inside a fragmented message");
      if (!fin) {
        in_fragmented_ = true;
        fragments_.assign(payload.begin(), payload.end());
        return {};
      }
      event.payload = payload;
      break;
    case Opcode::continuation:
      if (!in_fragmented_) return fail(kStatusProtocolError, "continuation without a message");
      append(fragments_, payload);
      if (!fin) return {};
      in_fragmented_ = false;
      {
        Bytes whole = std::move(fragments_);
        fragments_.clear();
        event.payload = whole;
        if (!on_event(event)) stop = true;
      }
      return {};
    case Opcode::ping:
      event.kind = FrameEvent::Kind::ping;
      event.payload = payload;
      break;
    case Opcode::pong:
      event.kind = FrameEvent::Kind::pong;
      event.payload = payload;
      break;
    case Opcode::close: {
      event.kind = FrameEvent::Kind::close;
      // §5.5.1 / §7.4: a body is empty or a 2-byte code plus UTF-8 reason; codes per §7.4.1-2.
      if (payload.size() == 1) return fail(kStatusProtocolError, "close frame with a 1-byte body");
      if (payload.size() >= 2) {
        std::uint16_t code = static_cast<std::uint16_t>((payload[0] << 8) | payload[1]);
        bool valid = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
        if (!valid) return fail(kStatusProtocolError, "invalid close status " + std::to_string(code));
        ByteView reason = ByteView(payload).subspan(2);
        if (!is_valid_utf8(reason)) return fail(kStatusInvalidPayload, "close reason is not UTF-8");
        event.close_status = code;
        event.close_reason.assign(reason.begin(), reason.end());
      }
      closed_ = true;
      break;
    }
  }
  if (!on_event(event)) stop = true;
  return {};
}

}  // namespace zmesh::io::ws
