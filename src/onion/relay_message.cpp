#include "onion/relay_message.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

namespace zmesh::onion {

void encode_relay_message(RelayMessageType type, ByteView payload, MutableByteView region) {
  if (region.size() != kRelayMessageRegionBytes || payload.size() > kMaxRelayPayloadBytes) std::abort();
  region[0] = static_cast<std::uint8_t>(type);
  region[1] = static_cast<std::uint8_t>(payload.size() >> 8);
  region[2] = static_cast<std::uint8_t>(payload.size());
  if (!payload.empty()) std::memcpy(region.data() + kRelayMessageHeaderBytes, payload.data(), payload.size());
  const std::size_t used = kRelayMessageHeaderBytes + payload.size();
  std::memset(region.data() + used, 0, region.size() - used);
}

Result<RelayMessage> decode_relay_message(ByteView region) {
  if (region.size() != kRelayMessageRegionBytes)
    return make_error(Errc::malformed, "relay message region must be 928 bytes");
  if (region[0] > static_cast<std::uint8_t>(RelayMessageType::data))
    return make_error(Errc::malformed, "unknown relay message type " + std::to_string(region[0]));
  RelayMessage message;
  message.type = static_cast<RelayMessageType>(region[0]);
  const std::size_t length = static_cast<std::size_t>(region[1]) << 8 | region[2];
  if (length > kMaxRelayPayloadBytes)
    return make_error(Errc::too_large, "relay message length " + std::to_string(length) + " above 925");
  if (message.type != RelayMessageType::data && length != 0)
    return make_error(Errc::malformed, "padding and ready relay messages carry no payload");
  std::uint8_t rest = 0;
  for (std::size_t i = kRelayMessageHeaderBytes + length; i < region.size(); ++i) rest |= region[i];
  if (rest != 0) return make_error(Errc::malformed, "relay message padding is not zero");
  message.payload = region.subspan(kRelayMessageHeaderBytes, length);
  return message;
}

}  // namespace zmesh::onion
