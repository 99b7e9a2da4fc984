// DHT wire messages (docs/protocol/dht.md has the byte layouts). Requests and responses share
// one header: version, type, a random 64-bit request id that the response echoes (so an
// off-path node cannot answer a request it never saw), and the sender's id and address.
#pragma once

#include <cstdint>
#include <vector>

#include "dht/contact.hpp"
#include "dht/record.hpp"

namespace zmesh::dht {

inline constexpr std::uint8_t kDhtWireVersion = 1;
inline constexpr std::size_t kMaxContactsPerMessage = 20;  // = k
inline constexpr std::size_t kMaxRecordsPerMessage = 4;
inline constexpr std::size_t kMaxMessageBytes = 64 * 1024;

enum class MessageType : std::uint8_t {
  ping = 1,
  pong = 2,
  find_node = 3,
  nodes = 4,       // answer to find_node: contacts
  find_value = 5,
  value = 6,       // answer to find_value: records (possibly none) and contacts
  store = 7,
  store_ack = 8,
};

bool is_request(MessageType type);
const char* message_type_name(MessageType type);

struct Message {
  MessageType type = MessageType::ping;
  std::uint64_t request_id = 0;
  Contact sender;
  NodeId target;                   // find_node / find_value
  std::vector<Contact> contacts;   // nodes / value
  std::vector<Record> records;     // value (<= kMaxRecordsPerMessage) / store (exactly 1)
  bool stored = false;             // store_ack
};

// Aborts on a message that breaks the limits above (a programming error: we only encode our
// own messages, built within them).
Bytes encode_message(const Message& message);
// Strict: unknown version or type, any length over its bound, trailing bytes => error.
Result<Message> decode_message(ByteView bytes);

}  // namespace zmesh::dht
