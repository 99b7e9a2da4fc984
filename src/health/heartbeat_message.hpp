// Wire format of the heartbeat service (docs/protocol/heartbeat.md):
//   version u8 (=1) | type u8 (1 ping, 2 pong) | sequence u32 | sent_at_us u64
// all big-endian, 14 bytes. A pong echoes the ping's sequence and sent_at_us, so the pinger
// measures the round trip on its own clock alone (no clock agreement between nodes needed).
#pragma once

#include <cstdint>

#include "runtime/time.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::health {

enum class HeartbeatType : std::uint8_t { ping = 1, pong = 2 };

struct HeartbeatMessage {
  static constexpr std::uint8_t kVersion = 1;
  static constexpr std::size_t kEncodedBytes = 14;

  HeartbeatType type = HeartbeatType::ping;
  std::uint32_t sequence = 0;
  TimeUs sent_at = 0;  // the pinger's clock, microseconds; never negative

  bool operator==(const HeartbeatMessage&) const = default;
};

Bytes encode(const HeartbeatMessage& message);
// Errc::truncated / malformed for anything that is not exactly one valid message.
Result<HeartbeatMessage> decode_heartbeat(ByteView input);

}  // namespace zmesh::health
