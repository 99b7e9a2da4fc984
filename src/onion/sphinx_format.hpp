// Byte layout of the Sphinx-format circuit setup header (docs/protocol/onion.md "Setup
// packet"). One fixed size for every path of 1..kMaxHops hops, so a relay cannot tell how
// many hops follow it, nor a shorter path from a longer one.
//
//   header (3450 B) = key_id (8) | alpha (32) | kem_ct (1088) | beta (2306) | mac (16)
//   beta            = routing information, one kSlotBytes slot per remaining hop, encrypted
//   forward slot    = 0x01 | next NodeId (32) | next key_id (8) | next kem_ct (1088) | next mac (16)
//   final slot      = 0x02 | 15 zero bytes
//
// mac = BLAKE2b-128(key = mu, key_id | alpha | kem_ct | beta): it covers every byte before it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/mlkem768.hpp"
#include "crypto/x25519.hpp"
#include "identity/node_id.hpp"
#include "identity/onion_key.hpp"

namespace zmesh::onion {

inline constexpr std::size_t kMaxHops = 3;

inline constexpr std::size_t kKeyIdBytes = OnionKeyId::kBytes;                    // 8
inline constexpr std::size_t kAlphaBytes = crypto::kX25519PublicBytes;            // 32
inline constexpr std::size_t kKemCiphertextBytes = crypto::kMlKem768CiphertextBytes;  // 1088
inline constexpr std::size_t kHeaderMacBytes = 16;

inline constexpr std::uint8_t kSlotForward = 0x01;
inline constexpr std::uint8_t kSlotFinal = 0x02;
inline constexpr std::size_t kSlotBytes = 1 + NodeId::kBytes + kKeyIdBytes + kKemCiphertextBytes + kHeaderMacBytes;  // 1145
inline constexpr std::size_t kFinalSlotBytes = 16;
// Every hop but the last consumes one full slot; the last reads only the final slot.
inline constexpr std::size_t kBetaBytes = (kMaxHops - 1) * kSlotBytes + kFinalSlotBytes;  // 2306

inline constexpr std::size_t kKeyIdOffset = 0;
inline constexpr std::size_t kAlphaOffset = kKeyIdOffset + kKeyIdBytes;          // 8
inline constexpr std::size_t kKemOffset = kAlphaOffset + kAlphaBytes;            // 40
inline constexpr std::size_t kBetaOffset = kKemOffset + kKemCiphertextBytes;     // 1128
inline constexpr std::size_t kMacOffset = kBetaOffset + kBetaBytes;              // 3434
inline constexpr std::size_t kSetupHeaderBytes = kMacOffset + kHeaderMacBytes;   // 3450

// Offsets inside a decrypted forward slot.
inline constexpr std::size_t kSlotNodeOffset = 1;
inline constexpr std::size_t kSlotKeyIdOffset = kSlotNodeOffset + NodeId::kBytes;          // 33
inline constexpr std::size_t kSlotKemOffset = kSlotKeyIdOffset + kKeyIdBytes;              // 41
inline constexpr std::size_t kSlotMacOffset = kSlotKemOffset + kKemCiphertextBytes;        // 1129
static_assert(kSlotMacOffset + kHeaderMacBytes == kSlotBytes);

// The routing stream a hop decrypts: beta followed by one slot of zeros (Sphinx's shift).
inline constexpr std::size_t kRoutingBytes = kBetaBytes + kSlotBytes;  // 3451

}  // namespace zmesh::onion
