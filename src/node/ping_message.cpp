#include "node/ping_message.hpp"

#include <cstdlib>

#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::node {

Bytes encode_ping(PingKind kind, std::uint64_t id, ByteView payload) {
  if (payload.size() > kMaxPingPayloadBytes) std::abort();  // callers check the size first
  wire::Writer writer(kPingHeaderBytes + payload.size());
  writer.u8(static_cast<std::uint8_t>(kind)).u64(id).bytes(payload);
  return writer.take();
}

Result<PingMessage> decode_ping(ByteView message) {
  if (message.size() > kPingHeaderBytes + kMaxPingPayloadBytes) {
    return make_error(Errc::too_large, "ping message above the link message size");
  }
  wire::Reader reader(message);
  ZM_TRY(std::uint8_t kind, reader.u8());
  if (kind != static_cast<std::uint8_t>(PingKind::request) && kind != static_cast<std::uint8_t>(PingKind::reply)) {
    return make_error(Errc::malformed, "unknown ping kind " + std::to_string(kind));
  }
  ZM_TRY(std::uint64_t id, reader.u64());
  return PingMessage{static_cast<PingKind>(kind), id, reader.rest()};
}

}  // namespace zmesh::node
