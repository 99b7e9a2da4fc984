// Dial URLs ("tcp://127.0.0.1:4433", "ws://host:80/zmesh") <-> descriptor TransportAddresses.
// A descriptor address carries the whole URL, so the driver can dial it as is; its kind is
// the URL's scheme. "mem://NAME" (tests/node/mem_net) maps to kTransportMem, a value no real
// transport uses: drivers that do not know it skip it like any unknown kind.
#pragma once

#include <string>
#include <string_view>

#include "identity/transport_address.hpp"
#include "util/result.hpp"

namespace zmesh::node {

inline constexpr TransportKind kTransportMem = static_cast<TransportKind>(0xF0);

// invalid_argument when the scheme is unknown or the URL does not fit a TransportAddress.
Result<TransportAddress> transport_address_from_url(std::string_view url);
// A URL another node could dial: a known scheme and a host that is not the unspecified
// address (a listener on 0.0.0.0 or [::] is reachable, but not at that address).
bool is_advertisable_url(std::string_view url);
// The URL to dial for `address`, or "" when its kind has no dialer here. Accepts both the
// full-URL form and a bare "host:port" (the scheme is then taken from the kind).
std::string dial_url(const TransportAddress& address);

}  // namespace zmesh::node
