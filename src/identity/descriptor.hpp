// The signed node descriptor: what a node tells the mesh about itself (signing key, onion keys,
// transport addresses, capabilities, bandwidth, validity). Published in the DHT and handed over
// during handshakes; anyone can check it against the NodeId alone. Byte layout, limits and
// verification rules: docs/protocol/descriptor.md (keep the two in step).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "crypto/hybrid_sig.hpp"
#include "identity/identity.hpp"
#include "identity/node_id.hpp"
#include "identity/onion_key.hpp"
#include "identity/transport_address.hpp"
#include "identity/unix_time.hpp"
#include "runtime/random.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh {

// Capability bits. Unknown bits are preserved (they are covered by the signature) and ignored.
namespace capability {
inline constexpr std::uint32_t relay = 1u << 0;      // forwards onion cells as a middle hop
inline constexpr std::uint32_t exit = 1u << 1;       // opens TCP connections under an exit policy
inline constexpr std::uint32_t dht = 1u << 2;        // stores and answers Kademlia requests
inline constexpr std::uint32_t browser = 1u << 3;    // runs in a browser tab (WASM): may vanish, no TCP
inline constexpr std::uint32_t content = 1u << 4;    // stores and serves content chunks
inline constexpr std::uint32_t signaling = 1u << 5;  // relays WebRTC offers/answers for neighbours
inline constexpr std::uint32_t push = 1u << 6;       // can be woken through WebPush
}  // namespace capability

inline constexpr std::uint8_t kDescriptorVersion = 1;
inline constexpr std::string_view kDescriptorSignatureContext = "zmesh/descriptor/v1";
inline constexpr std::size_t kMaxTransportAddresses = 8;
inline constexpr std::size_t kMaxDescriptorBytes = 12 * 1024;
inline constexpr UnixSeconds kMaxDescriptorLifetime = 3 * kDay;
inline constexpr UnixSeconds kDefaultDescriptorLifetime = 1 * kDay;
// A descriptor created up to this far in the future is accepted (clocks disagree).
inline constexpr UnixSeconds kMaxDescriptorClockSkew = 10 * kMinute;

struct NodeDescriptor {
  NodeId node_id;                        // must equal NodeId::of(signing_key)
  crypto::HybridSigPublicKey signing_key;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
  std::uint64_t sequence = 0;            // a newer descriptor of the same node has a larger one
  std::uint32_t capabilities = 0;        // capability:: bits
  std::uint32_t bandwidth_kib_per_s = 0; // advertised, self-reported: a hint, not a proof
  std::vector<OnionPublicKey> onion_keys;       // 1..kMaxOnionKeys
  std::vector<TransportAddress> addresses;      // 0..kMaxTransportAddresses
  Bytes signature;                       // hybrid signature over signed_part()

  // Sets node_id and signing_key from `identity`, checks the fields, and signs.
  Status sign(const NodeIdentity& identity, RandomSource& random);

  // Strict parse: every length bounded, total size <= kMaxDescriptorBytes, no trailing bytes.
  // Does not check the signature or times: call verify() before trusting anything in it.
  static Result<NodeDescriptor> decode(ByteView bytes);
  // Requires a descriptor that passes check_fields() and carries a full-size signature
  // (anything else is a programming error and aborts).
  Bytes encode() const;
  // The bytes the signature covers: the encoding up to, not including, the signature.
  Bytes signed_part() const;

  // Limits and sanity, no signature and no clock: counts, address syntax, created_at <
  // expires_at, lifetimes within their maxima, valid_from < valid_until, no duplicate onion key.
  Status check_fields() const;
  // Everything: check_fields, NodeId matches the signing key, created_at <= now + skew,
  // now < expires_at, onion_key_at(now) exists, and the signature.
  Status verify(UnixSeconds now) const;
  // verify() and the descriptor belongs to `expected` (e.g. the node we looked up or dialled).
  Status verify_for(const NodeId& expected, UnixSeconds now) const;

  bool has(std::uint32_t capability_bit) const { return (capabilities & capability_bit) != 0; }
  // The onion key to use at `now`: the one with the latest valid_from among those valid at
  // `now`, where valid_from may lie up to kMaxDescriptorClockSkew ahead (the same tolerance as
  // created_at, so a fresh descriptor is usable by a client whose clock is a little behind).
  const OnionPublicKey* onion_key_at(UnixSeconds now) const;
  const OnionPublicKey* onion_key_by_id(const OnionKeyId& id) const;
};

}  // namespace zmesh
