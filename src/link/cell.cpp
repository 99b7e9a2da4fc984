#include "link/cell.hpp"

#include <cstdlib>
#include <cstring>
#include <string>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"

namespace zmesh::link {

static_assert(kCellTagBytes == crypto::kAeadTagBytes);
static_assert(kCellPayloadBytes <= 0xffff);

CellPlaintext encode_cell_plaintext(CellHeader header, ByteView payload) {
  if (payload.size() > kCellPayloadBytes || header.length != payload.size()) std::abort();  // programming error
  CellPlaintext out{};
  out[0] = header.type;
  out[1] = header.flags;
  out[2] = static_cast<std::uint8_t>(header.length >> 8);
  out[3] = static_cast<std::uint8_t>(header.length);
  if (!payload.empty()) std::memcpy(out.data() + kCellHeaderBytes, payload.data(), payload.size());
  return out;
}

Result<CellContent> decode_cell_plaintext(const CellPlaintext& plaintext) {
  CellHeader header;
  header.type = plaintext[0];
  header.flags = plaintext[1];
  header.length = static_cast<std::uint16_t>(plaintext[2] << 8 | plaintext[3]);
  if ((header.flags & ~kCellKnownFlags) != 0)
    return make_error(Errc::malformed, "cell has reserved flag bits set");
  if (header.length > kCellPayloadBytes)
    return make_error(Errc::malformed, "cell payload length " + std::to_string(header.length) + " above 1004");
  // The padding is authenticated, so a non-zero byte means a broken peer: refuse it rather
  // than leave room for a covert channel.
  std::uint8_t padding_bits = 0;
  for (std::size_t i = kCellHeaderBytes + header.length; i < plaintext.size(); ++i) padding_bits |= plaintext[i];
  if (padding_bits != 0) return make_error(Errc::malformed, "cell padding is not zero");
  return CellContent{header, ByteView(plaintext).subspan(kCellHeaderBytes, header.length)};
}

CellCipher::CellCipher(crypto::SecretBytes key, std::uint64_t max_cells_per_key)
    : key_(std::move(key)), max_cells_per_key_(max_cells_per_key) {
  if (key_.size() != crypto::kAeadKeyBytes) std::abort();
}

CellWire CellCipher::seal(const CellPlaintext& plaintext) {
  // The session rekeys well before this; reaching it would mean nonce reuse is near.
  if (counter_ >= max_cells_per_key_) std::abort();
  CellWire out{};
  const auto nonce = crypto::counter_nonce(counter_++);
  crypto::chacha20poly1305_seal(key_, nonce, {}, plaintext, out);
  return out;
}

Result<CellPlaintext> CellCipher::open(ByteView wire) {
  if (wire.size() != kCellWireBytes) return make_error(Errc::malformed, "cell must be 1024 bytes");
  if (counter_ >= max_cells_per_key_)
    return make_error(Errc::protocol_violation, "peer sent more cells than allowed under one key without rekeying");
  CellPlaintext out{};
  const auto nonce = crypto::counter_nonce(counter_);
  if (!crypto::chacha20poly1305_open(key_, nonce, {}, wire, out))
    return make_error(Errc::verify_failed, "cell authentication failed (tampered, replayed, reordered or lost cell)");
  ++counter_;
  return out;
}

void CellCipher::rekey() {
  key_ = crypto::derive_key(key_.view(), "zmesh/link/v1/cell-rekey", crypto::kAeadKeyBytes);
  counter_ = 0;
  ++epoch_;
}

}  // namespace zmesh::link
