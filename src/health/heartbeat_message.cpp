#include "health/heartbeat_message.hpp"

#include <limits>
#include <string>

#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::health {

Bytes encode(const HeartbeatMessage& message) {
  wire::Writer w(HeartbeatMessage::kEncodedBytes);
  w.u8(HeartbeatMessage::kVersion)
      .u8(static_cast<std::uint8_t>(message.type))
      .u32(message.sequence)
      .u64(static_cast<std::uint64_t>(message.sent_at));
  return w.take();
}

Result<HeartbeatMessage> decode_heartbeat(ByteView input) {
  wire::Reader r(input);
  ZM_TRY(std::uint8_t version, r.u8());
  if (version != HeartbeatMessage::kVersion)
    return make_error(Errc::malformed, "heartbeat: unknown version " + std::to_string(version));
  ZM_TRY(std::uint8_t type, r.u8());
  if (type != static_cast<std::uint8_t>(HeartbeatType::ping) && type != static_cast<std::uint8_t>(HeartbeatType::pong))
    return make_error(Errc::malformed, "heartbeat: unknown type " + std::to_string(type));
  ZM_TRY(std::uint32_t sequence, r.u32());
  ZM_TRY(std::uint64_t sent_at, r.u64());
  if (sent_at > static_cast<std::uint64_t>(std::numeric_limits<TimeUs>::max()))
    return make_error(Errc::malformed, "heartbeat: send time out of range");
  ZM_CHECK(r.expect_end("heartbeat"));
  return HeartbeatMessage{static_cast<HeartbeatType>(type), sequence, static_cast<TimeUs>(sent_at)};
}

}  // namespace zmesh::health
