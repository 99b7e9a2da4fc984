// Choosing the relays of a client circuit from the descriptors a PeerDirectory knows, the way
// Tor's path selection does it (tor-spec path-spec §2.2, simplified): distinct relays, never
// ourselves, no two in the same IPv4 /16 (one operator's neighbouring machines should not see
// both ends), chosen with probability proportional to their advertised bandwidth, the last
// hop first because it alone must offer the exit capability. Sans-IO: randomness comes in.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "identity/descriptor.hpp"
#include "runtime/random.hpp"
#include "util/result.hpp"

namespace zmesh::node {

// A relay advertising more than this counts as this much: one node's self-reported figure
// must not draw every circuit (Tor caps unmeasured relays similarly).
inline constexpr std::uint32_t kMaxPathWeightKibPerS = 1u << 20;  // 1 GiB/s
// What `zmesh node` advertises unless told otherwise (--bandwidth), and what a descriptor
// advertising 0 (older nodes, or none given) weighs: unknown capacity counts as a typical node,
// neither starved nor favoured.
inline constexpr std::uint32_t kDefaultBandwidthKibPerS = 1024;  // 1 MiB/s

struct PathConstraints {
  std::size_t hops = 3;                                               // 1..3
  std::uint32_t hop_capabilities = capability::relay;                 // every hop
  std::uint32_t last_hop_capabilities = capability::relay | capability::exit;
  NodeId self;                                                        // never on the path
  UnixSeconds now = 0;                                                // onion keys valid at this time
};

// The IPv4 address of a transport address ("192.0.2.7:4433", "ws://192.0.2.7:80/zmesh"), or
// nullopt for names, IPv6 and unknown kinds.
std::optional<std::uint32_t> transport_ipv4(const TransportAddress& address);

// The IPv4 /16 networks a descriptor's addresses lie in, loopback (127/8) excluded so that a
// mesh on one machine can still build paths.
std::vector<std::uint16_t> ipv4_slash16_networks(const NodeDescriptor& descriptor);

// Indices into `candidates`, in path order (the last one is the last hop). not_found with a
// message saying what was missing when no path fits.
Result<std::vector<std::size_t>> select_path(std::span<const NodeDescriptor> candidates,
                                             const PathConstraints& constraints, RandomSource& random);

}  // namespace zmesh::node
