// Where a node can be reached: a transport kind and a URL-ish address string
// (e.g. tcp "198.51.100.7:4433", wss "wss://relay.example/zmesh", webrtc "signal:<node id>").
// The string is opaque to this layer; the driver for `kind` interprets it. It is limited to
// printable ASCII so that a hostile descriptor cannot inject control characters into logs
// or status pages.
#pragma once

#include <cstdint>
#include <string>

#include "util/result.hpp"

namespace zmesh {

// Wire values are fixed forever; 0 is reserved (never valid). Values not listed here are
// accepted and preserved (a newer node may advertise a transport this build does not know);
// drivers skip them.
enum class TransportKind : std::uint8_t {
  tcp = 1,
  ws = 2,
  wss = 3,
  webrtc = 4,
  quic = 5,
};

inline constexpr std::size_t kMaxTransportAddressBytes = 200;

// "tcp", "ws", ... or "unknown".
const char* transport_kind_name(TransportKind kind);
bool is_known_transport(TransportKind kind);

struct TransportAddress {
  TransportKind kind = TransportKind::tcp;
  std::string address;

  // kind != 0, address 1..kMaxTransportAddressBytes bytes of printable ASCII (0x21..0x7e).
  Status check() const;
  std::string describe() const { return std::string(transport_kind_name(kind)) + " " + address; }
  bool operator==(const TransportAddress&) const = default;
};

}  // namespace zmesh
