#include "dht/message.hpp"

#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::dht {
namespace {

void write_contact(wire::Writer& w, const Contact& c) { w.bytes(c.id.bytes).string_u8(c.address); }

Result<Contact> read_contact(wire::Reader& r) {
  Contact c;
  ZM_TRY(c.id.bytes, r.array<32>());
  ZM_TRY(c.address, r.string_u8(kMaxAddressBytes));
  if (c.address.empty()) return make_error(Errc::malformed, "dht: empty contact address");
  for (char ch : c.address) {
    // Printable ASCII only, as identity/transport_address.hpp: nothing for logs to trip on.
    if (ch < 0x21 || ch > 0x7e) return make_error(Errc::malformed, "dht: contact address not printable ASCII");
  }
  return c;
}

Status read_contacts(wire::Reader& r, std::vector<Contact>& out) {
  ZM_TRY(std::uint8_t count, r.u8());
  if (count > kMaxContactsPerMessage) return make_error(Errc::too_large, "dht: too many contacts");
  out.reserve(count);
  for (std::uint8_t i = 0; i < count; ++i) {
    ZM_TRY(Contact c, read_contact(r));
    out.push_back(std::move(c));
  }
  return {};
}

Status read_records(wire::Reader& r, std::vector<Record>& out, std::size_t max) {
  ZM_TRY(std::uint8_t count, r.u8());
  if (count > max) return make_error(Errc::too_large, "dht: too many records");
  for (std::uint8_t i = 0; i < count; ++i) {
    ZM_TRY(ByteView raw, r.bytes_u16());
    ZM_TRY(Record record, Record::decode(raw));
    out.push_back(std::move(record));
  }
  return {};
}

}  // namespace

bool is_request(MessageType type) {
  return type == MessageType::ping || type == MessageType::find_node || type == MessageType::find_value ||
         type == MessageType::store;
}

const char* message_type_name(MessageType type) {
  switch (type) {
    case MessageType::ping: return "PING";
    case MessageType::pong: return "PONG";
    case MessageType::find_node: return "FIND_NODE";
    case MessageType::nodes: return "NODES";
    case MessageType::find_value: return "FIND_VALUE";
    case MessageType::value: return "VALUE";
    case MessageType::store: return "STORE";
    case MessageType::store_ack: return "STORE_ACK";
  }
  return "UNKNOWN";
}

Bytes encode_message(const Message& m) {
  if (m.contacts.size() > kMaxContactsPerMessage || m.records.size() > kMaxRecordsPerMessage) std::abort();
  wire::Writer w(256);
  w.u8(kDhtWireVersion).u8(static_cast<std::uint8_t>(m.type)).u64(m.request_id);
  write_contact(w, m.sender);
  switch (m.type) {
    case MessageType::ping:
    case MessageType::pong: break;
    case MessageType::find_node:
    case MessageType::find_value: w.bytes(m.target.bytes); break;
    case MessageType::nodes:
    case MessageType::value:
      if (m.type == MessageType::value) {
        w.u8(static_cast<std::uint8_t>(m.records.size()));
        for (const auto& r : m.records) w.bytes_u16(r.encode());
      }
      w.u8(static_cast<std::uint8_t>(m.contacts.size()));
      for (const auto& c : m.contacts) write_contact(w, c);
      break;
    case MessageType::store:
      if (m.records.size() != 1) std::abort();
      w.bytes_u16(m.records.front().encode());
      break;
    case MessageType::store_ack: w.u8(m.stored ? 1 : 0); break;
  }
  if (w.size() > kMaxMessageBytes) std::abort();
  return w.take();
}

Result<Message> decode_message(ByteView bytes) {
  if (bytes.size() > kMaxMessageBytes) return make_error(Errc::too_large, "dht: message too large");
  wire::Reader r(bytes);
  ZM_TRY(std::uint8_t version, r.u8());
  if (version != kDhtWireVersion) return make_error(Errc::malformed, "dht: unknown version");
  ZM_TRY(std::uint8_t type, r.u8());
  if (type < 1 || type > 8) return make_error(Errc::malformed, "dht: unknown message type");
  Message m;
  m.type = static_cast<MessageType>(type);
  ZM_TRY(m.request_id, r.u64());
  ZM_TRY(m.sender, read_contact(r));
  switch (m.type) {
    case MessageType::ping:
    case MessageType::pong: break;
    case MessageType::find_node:
    case MessageType::find_value: {
      ZM_TRY(m.target.bytes, r.array<32>());
      break;
    }
    case MessageType::nodes:
    case MessageType::value:
      if (m.type == MessageType::value) ZM_CHECK(read_records(r, m.records, kMaxRecordsPerMessage));
      ZM_CHECK(read_contacts(r, m.contacts));
      break;
    case MessageType::store: {
      ZM_TRY(ByteView raw, r.bytes_u16());
      ZM_TRY(Record record, Record::decode(raw));
      m.records.push_back(std::move(record));
      break;
    }
    case MessageType::store_ack: {
      ZM_TRY(std::uint8_t stored, r.u8());
      if (stored > 1) return make_error(Errc::malformed, "dht: bad store_ack flag");
      m.stored = stored == 1;
      break;
    }
  }
  ZM_CHECK(r.expect_end("dht message"));
  return m;
}

}  // namespace zmesh::dht
