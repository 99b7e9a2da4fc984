// A DHT contact: a node id and the address string the driver can dial it at.
// The DHT never interprets the address beyond computing its network prefix for the
// per-prefix limits of the routing table (a cheap Sybil brake, S/Kademlia §4.1 and the
// "one /24" rule of Mainline DHT implementations).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "identity/node_id.hpp"

namespace zmesh::dht {

inline constexpr std::size_t kMaxAddressBytes = 200;  // as identity/transport_address.hpp

struct Contact {
  NodeId id;
  std::string address;
  bool operator==(const Contact&) const = default;
};

// The network prefix used for limits (util/net_address.hpp network_key): "v4:a.b.c" (/24) for
// IPv4 "a.b.c.d[:port]" and IPv4-mapped IPv6, "v6:x:y:z:" (/48, groups in RFC 5952 hex) for a
// bracketed IPv6 "[x:y:z:...]:port", "host:" and the host name otherwise, and the whole text
// for what is no HOST[:PORT] (e.g. "signal:<id>"), so that unknown forms still group sensibly.
std::string address_prefix(std::string_view address);
// A 32-bit digest of address_prefix(address) (FNV-1a), what the routing table keeps per
// contact. Two prefixes that collide only share one limit: stricter, never looser.
std::uint32_t address_prefix_key(std::string_view address);

}  // namespace zmesh::dht
