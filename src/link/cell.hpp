// The fixed-size encrypted cell (docs/protocol/link.md "Cells"). Every byte a link carries
// after the handshake travels in cells of exactly kCellWireBytes, so an observer sees only
// equal-sized, uniformly random-looking units.
//
//   wire (1024 B)      = ChaCha20-Poly1305(key_epoch, nonce = implicit 64-bit counter,
//                                          ad = empty, plaintext) || tag (16 B)
//   plaintext (1008 B) = type u8 | flags u8 | length u16be | payload[length] | zeros
//
// The counter is implicit (each side counts cells per direction): the link runs over a
// reliable ordered transport, so any loss, replay, duplication or reordering makes the AEAD
// fail, which is exactly the error we want.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/secure.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::link {

inline constexpr std::size_t kCellWireBytes = 1024;
inline constexpr std::size_t kCellTagBytes = 16;
inline constexpr std::size_t kCellPlaintextBytes = kCellWireBytes - kCellTagBytes;  // 1008
inline constexpr std::size_t kCellHeaderBytes = 4;
inline constexpr std::size_t kCellPayloadBytes = kCellPlaintextBytes - kCellHeaderBytes;  // 1004

// Cell types: 0 and 1 belong to the link itself, 2..255 are application channels (the node
// layer assigns them: DHT, onion, control, ...).
using Channel = std::uint8_t;
inline constexpr Channel kCellPadding = 0;  // dropped on receive (keep-alive, cover traffic)
inline constexpr Channel kCellClose = 1;    // payload: reason u8 | utf-8 text
inline constexpr Channel kFirstAppChannel = 2;

// Flags. A message spans one BEGIN cell, zero or more continuation cells (neither flag) and
// one END cell; a single-cell message has BEGIN|END.
inline constexpr std::uint8_t kCellFlagBegin = 0x01;
inline constexpr std::uint8_t kCellFlagEnd = 0x02;
// The sender switches to the next key after this cell (docs/protocol/link.md "Rekeying").
inline constexpr std::uint8_t kCellFlagKeyUpdate = 0x04;
inline constexpr std::uint8_t kCellKnownFlags = kCellFlagBegin | kCellFlagEnd | kCellFlagKeyUpdate;

struct CellHeader {
  Channel type = kCellPadding;
  std::uint8_t flags = 0;
  std::uint16_t length = 0;
};

struct CellContent {
  CellHeader header;
  ByteView payload;  // points into the decoded plaintext
};

using CellPlaintext = ByteArray<kCellPlaintextBytes>;
using CellWire = ByteArray<kCellWireBytes>;

// payload.size() <= kCellPayloadBytes (programming error otherwise); the rest is zero padding.
CellPlaintext encode_cell_plaintext(CellHeader header, ByteView payload);
// Checks the length, reserved flags and that the padding is all zero.
Result<CellContent> decode_cell_plaintext(const CellPlaintext& plaintext);

// One direction's key state: key, epoch and the implicit counter.
class CellCipher {
 public:
  CellCipher(crypto::SecretBytes key, std::uint64_t max_cells_per_key);

  CellWire seal(const CellPlaintext& plaintext);
  // Errc::verify_failed on any tampering, replay, reordering or loss.
  Result<CellPlaintext> open(ByteView wire);

  // key' = derive_key(key, "zmesh/link/v1/cell-rekey", 32); counter restarts at 0 under the
  // new key. The old key is wiped.
  void rekey();

  std::uint64_t cells_under_key() const { return counter_; }
  std::uint64_t epoch() const { return epoch_; }

 private:
  crypto::SecretBytes key_;
  std::uint64_t counter_ = 0;
  std::uint64_t epoch_ = 0;
  std::uint64_t max_cells_per_key_;
};

}  // namespace zmesh::link
