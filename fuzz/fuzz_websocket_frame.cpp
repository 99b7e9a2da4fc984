// io::ws::FrameDecoder (src/io/websocket_frame.hpp), RFC 6455 framing as a zMesh node and a
// browser see it. Input: mode u8 || chunk seed u8 || rest. Mode bit 0 picks the decoding side
// (server: frames must be masked; client: must not be), bits 2-3 the message limit.
// Mode bit 1 clear, raw: the rest is a byte stream from a hostile peer.
//   - fed whole and fed in pieces (fuzz/chunking.hpp) it yields the same events, the same
//     error and the same close status;
//   - messages respect the limit, control payloads 125 bytes, nothing follows a close event,
//     a failure carries one of the close codes 1002/1003/1007/1009 and is final, and the
//     decoder buffers at most one frame.
// Mode bit 1 set, round trip: the rest is a script for a valid conversation (fragmented
// messages with pings between fragments, pings, pongs, a close followed by junk) that
// encode_frame turns into bytes; decoding them, whole or in pieces, must reproduce exactly the
// scripted events and never fail.
// Seeds (ZMESH_FUZZ_WRITE_SEEDS=DIR): a masked client conversation, server frames, scripts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chunking.hpp"
#include "fuzz_check.hpp"
#include "io/websocket_frame.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::io;

constexpr std::size_t kLimits[] = {200, 1004, 16384, 65536};

struct Event {
  ws::FrameEvent::Kind kind;
  Bytes payload;
  std::uint16_t close_status;
  std::string close_reason;
  bool operator==(const Event&) const = default;
};

struct Outcome {
  std::vector<Event> events;
  std::optional<Errc> error;
  std::uint16_t failure_status = 0;
  bool operator==(const Outcome&) const = default;
};

Outcome decode(ws::Role role, std::size_t limit, const std::vector<ByteView>& chunks) {
  ws::FrameDecoder decoder(role, limit);
  Outcome out;
  for (ByteView chunk : chunks) {
    const Status status = decoder.feed(chunk, [&](const ws::FrameEvent& e) {
      FUZZ_CHECK(out.events.empty() || out.events.back().kind != ws::FrameEvent::Kind::close);
      if (e.kind == ws::FrameEvent::Kind::message) {
        FUZZ_CHECK(e.payload.size() <= limit);
      } else {
        FUZZ_CHECK(e.payload.size() <= ws::kMaxControlPayloadBytes);
      }
      out.events.push_back(Event{e.kind, Bytes(e.payload.begin(), e.payload.end()), e.close_status, e.close_reason});
      return true;
    });
    if (!status.ok()) {
      out.error = status.error().code;
      out.failure_status = decoder.failure_status();
      const std::uint16_t s = out.failure_status;
      FUZZ_CHECK(s == ws::kStatusProtocolError || s == ws::kStatusUnsupportedData || s == ws::kStatusInvalidPayload ||
                 s == ws::kStatusTooBig);
      FUZZ_CHECK((s == ws::kStatusTooBig) == (status.error().code == Errc::too_large));
      FUZZ_CHECK(!decoder.feed(Bytes{0x82, 0x00}, [](const ws::FrameEvent&) { return true; }).ok());
      break;
    }
    FUZZ_CHECK(decoder.failure_status() == 0);
    FUZZ_CHECK(decoder.buffered_bytes() <= ws::kMaxFrameHeaderBytes + limit);
  }
  return out;
}

// Reads the round-trip script; past its end it yields zeros.
class Script {
 public:
  explicit Script(ByteView bytes) : bytes_(bytes) {}
  bool done() const { return next_ >= bytes_.size(); }
  std::uint8_t u8() { return done() ? 0 : bytes_[next_++]; }
  ByteView rest() const { return bytes_.subspan(std::min(next_, bytes_.size())); }
  Bytes payload(std::size_t size) {
    Bytes out(size);
    for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(u8() ^ i);
    return out;
  }

 private:
  ByteView bytes_;
  std::size_t next_ = 0;
};

// Frames the scripted conversation as `sender` would and lists the events a receiver must see.
struct Conversation {
  ws::Role sender;
  Bytes wire;
  std::vector<Event> expected;
  std::uint8_t mask_counter = 0;

  void frame(ws::Opcode opcode, bool fin, ByteView payload) {
    const ws::MaskKey key = {mask_counter, static_cast<std::uint8_t>(mask_counter + 1), 0x5a, 0xa5};
    ++mask_counter;
    ws::encode_frame(wire, opcode, fin, payload, sender == ws::Role::client ? &key : nullptr);
  }
  void control(ws::Opcode opcode, ws::FrameEvent::Kind kind, Bytes payload) {
    frame(opcode, true, payload);
    expected.push_back(Event{kind, std::move(payload), ws::kStatusNoStatus, {}});
  }
};

constexpr std::uint16_t kCloseCodes[] = {1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999};

Conversation script_conversation(ws::Role sender, std::size_t limit, Script& script) {
  Conversation c{sender, {}, {}};
  while (!script.done()) {
    const std::uint8_t op = script.u8();
    if (op % 4 == 0) {  // a message in 1..4 fragments, maybe pings between them
      const std::size_t size = (std::size_t{script.u8()} << 8 | script.u8()) % (limit + 1);
      const Bytes message = script.payload(size);
      const std::size_t fragments = 1 + script.u8() % 4;
      std::size_t offset = 0;
      for (std::size_t f = 0; f < fragments; ++f) {
        const std::size_t take = f + 1 == fragments ? size - offset : std::min(size - offset, size / fragments);
        c.frame(f == 0 ? ws::Opcode::binary : ws::Opcode::continuation, f + 1 == fragments,
                ByteView(message).subspan(offset, take));
        offset += take;
        if (f + 1 < fragments && script.u8() % 2 == 1)
          c.control(ws::Opcode::ping, ws::FrameEvent::Kind::ping, script.payload(script.u8() % 126));
      }
      c.expected.push_back(Event{ws::FrameEvent::Kind::message, message, ws::kStatusNoStatus, {}});
    } else if (op % 4 == 1) {
      c.control(ws::Opcode::ping, ws::FrameEvent::Kind::ping, script.payload(script.u8() % 126));
    } else if (op % 4 == 2) {
      c.control(ws::Opcode::pong, ws::FrameEvent::Kind::pong, script.payload(script.u8() % 126));
    } else {  // close, then junk the receiver must ignore
      const std::uint16_t code = kCloseCodes[script.u8() % std::size(kCloseCodes)];
      std::string reason(script.u8() % 100, 'r');
      c.frame(ws::Opcode::close, true, ws::close_payload(code, reason));
      c.expected.push_back(Event{ws::FrameEvent::Kind::close, {}, code, reason});
      append(c.wire, script.rest());
      break;
    }
  }
  return c;
}

void write_seeds(const char* dir) {
  // Raw: what a browser sends (masked, so the server decodes), and what a server sends.
  Conversation client{ws::Role::client, {}, {}};
  client.frame(ws::Opcode::binary, false, Bytes(300, 1));
  client.control(ws::Opcode::ping, ws::FrameEvent::Kind::ping, Bytes(4, 2));
  client.frame(ws::Opcode::continuation, true, Bytes(20, 3));
  client.frame(ws::Opcode::close, true, ws::close_payload(1000, "bye"));
  Bytes seed = {0x04 | 0x01, 3};  // server role, limit 1004, varied chunks
  append(seed, client.wire);
  fuzz::write_seed(dir, "raw_client_frames", seed);
  Conversation server{ws::Role::server, {}, {}};
  server.frame(ws::Opcode::binary, true, Bytes(300, 4));
  server.control(ws::Opcode::pong, ws::FrameEvent::Kind::pong, {});
  seed = {0x00, 0};  // client role, limit 200, byte by byte
  append(seed, server.wire);
  fuzz::write_seed(dir, "raw_server_too_big", seed);
  // Round trip scripts: message in 3 fragments with pings, ping, pong, close + junk.
  fuzz::write_seed(dir, "script_server", Bytes{0x02 | 0x01 | 0x04, 5, 0, 0x03, 0x00, 2, 1, 10, 1, 5, 1, 3, 2, 7, 3, 4, 6, 0xde, 0xad});
  fuzz::write_seed(dir, "script_client", Bytes{0x02, 1, 0, 0x00, 0x50, 0, 1, 20, 3, 0, 0});
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const ws::Role role = (data[0] & 1) ? ws::Role::server : ws::Role::client;
  const std::size_t limit = kLimits[(data[0] >> 2) % std::size(kLimits)];
  const ByteView rest(data + 2, size - 2);

  if ((data[0] & 2) == 0) {
    const Outcome whole = decode(role, limit, {rest});
    const Outcome pieces = decode(role, limit, fuzz::split_chunks(rest, data[1]));
    FUZZ_CHECK(whole == pieces);
    return 0;
  }
  Script script(rest);
  const ws::Role sender = role == ws::Role::server ? ws::Role::client : ws::Role::server;
  const Conversation conversation = script_conversation(sender, limit, script);
  const Outcome whole = decode(role, limit, {conversation.wire});
  FUZZ_CHECK(!whole.error);
  FUZZ_CHECK(whole.events == conversation.expected);
  const Outcome pieces = decode(role, limit, fuzz::split_chunks(conversation.wire, data[1]));
  FUZZ_CHECK(whole == pieces);
  return 0;
}
