// The ping/echo message on link channel 6 (docs/protocol/ping.md):
//
//   kind u8 (1 = request, 2 = reply) | id u64be | payload (the rest, 0..65527 bytes)
//
// A reply carries the request's id and payload unchanged. One codec, one fuzz target
// (fuzz/fuzz_node_ping.cpp), round-trip tests in tests/node.
#pragma once

#include <cstdint>

#include "link/session.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::node {

enum class PingKind : std::uint8_t { request = 1, reply = 2 };

inline constexpr std::size_t kPingHeaderBytes = 9;
inline constexpr std::size_t kMaxPingPayloadBytes = link::kMaxMessageBytes - kPingHeaderBytes;

struct PingMessage {
  PingKind kind = PingKind::request;
  std::uint64_t id = 0;
  ByteView payload;  // points into the decoded input
};

// payload.size() <= kMaxPingPayloadBytes (programming error otherwise).
Bytes encode_ping(PingKind kind, std::uint64_t id, ByteView payload);
// truncated below 9 bytes, malformed for an unknown kind, too_large above the link's message size.
Result<PingMessage> decode_ping(ByteView message);

}  // namespace zmesh::node
