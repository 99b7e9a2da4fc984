// Layered encryption of data cell bodies (docs/protocol/onion.md "Data cells"). Symmetric
// only: each hop holds a forward and a backward key from the setup; cells are numbered by
// implicit per-direction counters (nonce = counter), so replayed, dropped or reordered cells
// fail authentication.
//
// Forward (client -> last hop), per-hop integrity:
//   body at hop i  = c (960) | tag (16)          ChaCha20-Poly1305(kf_i, nonce = n)
//   hop i          : p = open(body); out = pad_i | p, pad_i = ChaCha20(kf_i, n, block 16)[0:16]
//   last hop       : p = open(body); p[32:960] is the relay message region (relay_message.hpp)
// Every hop checks its own tag before decrypting, so a cell modified anywhere upstream is
// dropped by the very next hop and never reaches the exit in recognisable form (no tagging
// attack: Fu & Ling 2009; Degabriele & Stam, "Untagging Tor", EUROCRYPT 2018). The pad keeps
// the size constant; the client precomputes
// every hop's pads and chooses the plaintext so that each hop's ciphertext ends up with the
// pads of the hops before it in its first bytes (the Sphinx "filler" idea applied to cells).
// The last hop sees 32 bytes of headroom (pads of up to two earlier hops, or random bytes the
// client adds), whatever the path length, so it cannot tell a 2-hop from a 3-hop circuit.
//
// Backward (last hop -> client):
//   last hop       : body = seal(kb_last, n, zeros(32) | region) (960 + tag 16)
//   other hops     : body ^= ChaCha20(kb_i, n, block 0)
//   client         : removes every layer, then opens the last hop's AEAD
// Only the client can check backward cells (no relay downstream of a backward cell shares a
// key with the hops before it); a hop that modifies one gains nothing, since the only party
// that sees the result is the client, who drops the cell and tears the circuit down.
#pragma once

#include <cstdint>
#include <span>

#include "onion/onion_cell.hpp"
#include "onion/relay_message.hpp"
#include "onion/sphinx_keys.hpp"
#include "runtime/random.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::onion {

inline constexpr std::size_t kLayerTagBytes = 16;
inline constexpr std::size_t kLayerPadBytes = 16;
inline constexpr std::size_t kLayerPlaintextBytes = kCellBodyBytes - kLayerTagBytes;      // 960
inline constexpr std::size_t kExitHeadroomBytes = (kMaxHops - 1) * kLayerPadBytes;        // 32
static_assert(kExitHeadroomBytes + kRelayMessageRegionBytes == kLayerPlaintextBytes);
static_assert(kLayerPlaintextBytes % 64 == 0, "the pad is the first keystream block after the payload");

using CellBody = ByteArray<kCellBodyBytes>;

// --- a relay that is not the last hop ---
// verify_failed when the tag does not match (the cell is dropped, the circuit torn down).
Status unwrap_forward_layer(const crypto::SecretBytes& forward_key, std::uint64_t counter, ByteView body,
                            MutableByteView out);
void wrap_backward_layer(const crypto::SecretBytes& backward_key, std::uint64_t counter, ByteView body,
                         MutableByteView out);

// --- the last hop ---
// Writes the relay message region (kRelayMessageRegionBytes).
Status open_at_last_hop(const crypto::SecretBytes& forward_key, std::uint64_t counter, ByteView body,
                        MutableByteView region);
void seal_at_last_hop(const crypto::SecretBytes& backward_key, std::uint64_t counter, ByteView region,
                      MutableByteView body);

// --- the client ---
// `hops` in path order (1..kMaxHops). Random bytes fill the headroom short paths leave.
void seal_at_client(std::span<const HopKeys> hops, std::uint64_t counter, ByteView region, RandomSource& random,
                    MutableByteView body);
Status open_at_client(std::span<const HopKeys> hops, std::uint64_t counter, ByteView body, MutableByteView region);

}  // namespace zmesh::onion
