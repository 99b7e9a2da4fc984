#include "io/webrtc/dcep.hpp"

#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::io::webrtc {
namespace {

bool known_channel_type(std::uint8_t raw) {
  switch (raw) {
    case 0x00: case 0x80: case 0x01: case 0x81: case 0x02: case 0x82: return true;
    default: return false;
  }
}

// RFC 8832 §5.1:
//  u8 message type (0x03) | u8 channel type | u16 priority | u32 reliability parameter
//  | u16 label length | u16 protocol length | label | protocol
Result<DcepMessage> decode_open(wire::Reader& r) {
  DcepOpen open;
  ZM_TRY(std::uint8_t type, r.u8());
  if (!known_channel_type(type)) return make_error(Errc::malformed, "DCEP: unknown channel type");
  open.channel_type = static_cast<ChannelType>(type);
  ZM_TRY(open.priority, r.u16());
  ZM_TRY(open.reliability_parameter, r.u32());
  ZM_TRY(std::uint16_t label_length, r.u16());
  ZM_TRY(std::uint16_t protocol_length, r.u16());
  ZM_TRY(ByteView label, r.bytes(label_length));
  ZM_TRY(ByteView protocol, r.bytes(protocol_length));
  ZM_CHECK(r.expect_end("DCEP DATA_CHANNEL_OPEN"));
  open.label.assign(label.begin(), label.end());
  open.protocol.assign(protocol.begin(), protocol.end());
  return DcepMessage(std::move(open));
}

}  // namespace

Result<DcepMessage> decode_dcep(ByteView message) {
  wire::Reader r(message);
  ZM_TRY(std::uint8_t type, r.u8());
  if (type == kDcepAck) {
    // §5.2: the ACK is the message type byte alone.
    ZM_CHECK(r.expect_end("DCEP DATA_CHANNEL_ACK"));
    return DcepMessage(DcepAck{});
  }
  if (type == kDcepOpen) return decode_open(r);
  return make_error(Errc::malformed, "DCEP: unknown message type");
}

Bytes encode_dcep(const DcepOpen& open) {
  if (open.label.size() > 0xffff || open.protocol.size() > 0xffff) std::abort();
  wire::Writer w(12 + open.label.size() + open.protocol.size());
  w.u8(kDcepOpen)
      .u8(static_cast<std::uint8_t>(open.channel_type))
      .u16(open.priority)
      .u32(open.reliability_parameter)
      .u16(static_cast<std::uint16_t>(open.label.size()))
      .u16(static_cast<std::uint16_t>(open.protocol.size()))
      .bytes(as_bytes(open.label))
      .bytes(as_bytes(open.protocol));
  return w.take();
}

Bytes encode_dcep(const DcepAck&) { return Bytes{kDcepAck}; }

}  // namespace zmesh::io::webrtc
