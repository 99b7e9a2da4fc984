// End-to-end relay messages: what the client and the last hop of a circuit exchange inside the
// innermost layer of a data cell (docs/protocol/onion.md "Relay message"). This is the unit the
// stream layer above sends and receives: each call carries at most kMaxRelayPayloadBytes.
//
//   region (928 B) = type u8 | length u16be | payload[length] | zeros
//
// Every relay message is integrity-protected end to end (client <-> last hop) and numbered
// implicitly by the cell counters, so it arrives exactly once, in order, unmodified, or the
// circuit is torn down.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::onion {

// Bytes of one data cell body left for the relay message once the per-hop tag and the
// headroom for up to three hops' padding are taken (layered_cell.hpp): 976 - 16 - 2 * 16.
inline constexpr std::size_t kRelayMessageRegionBytes = 928;
inline constexpr std::size_t kRelayMessageHeaderBytes = 3;
// The largest payload one relay message carries, in both directions. The stream layer takes
// this as its maximum message size.
inline constexpr std::size_t kMaxRelayPayloadBytes = kRelayMessageRegionBytes - kRelayMessageHeaderBytes;  // 925

enum class RelayMessageType : std::uint8_t {
  padding = 0,  // dropped by the receiver (cover traffic; carries no payload)
  ready = 1,    // the last hop's answer to a setup: the circuit is open (no payload)
  data = 2,     // payload for the stream layer
};

struct RelayMessage {
  RelayMessageType type = RelayMessageType::data;
  ByteView payload;  // points into the decoded region
};

// `region` must be kRelayMessageRegionBytes and payload at most kMaxRelayPayloadBytes (else
// aborts: callers check sizes first).
void encode_relay_message(RelayMessageType type, ByteView payload, MutableByteView region);
// Checks the type, the length and that the rest of the region is zero.
Result<RelayMessage> decode_relay_message(ByteView region);

}  // namespace zmesh::onion
