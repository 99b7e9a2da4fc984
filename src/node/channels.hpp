// Link channel numbers (the cell `type` byte, docs/protocol/link.md "Cells"). 0 and 1 belong to
// the link itself (padding, close); every service that rides a link owns one number here, so two
// services can never collide. Reserve a number here before using it, and document the message
// format of the channel in docs/protocol/.
#pragma once

#include "link/cell.hpp"

namespace zmesh::node {

using link::Channel;

inline constexpr Channel kChannelDht = 2;        // Kademlia (src/dht, docs/protocol/dht.md)
inline constexpr Channel kChannelOnion = 3;      // circuits and relay cells (src/onion)
inline constexpr Channel kChannelSignaling = 4;  // WebRTC offer/answer relayed over the overlay
inline constexpr Channel kChannelHealth = 5;     // heartbeats / failure detection (src/health)
inline constexpr Channel kChannelPing = 6;       // ping/echo (node/ping_service.hpp, docs/protocol/ping.md)
inline constexpr Channel kChannelDescriptor = 7; // own descriptor sent when a link opens (node/descriptor_exchange.hpp)

static_assert(kChannelDht >= link::kFirstAppChannel, "channels 0 and 1 belong to the link");

}  // namespace zmesh::node
