#include "onion/layered_cell.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "crypto/aead.hpp"

namespace zmesh::onion {
namespace {

// ChaCha20-Poly1305 (RFC 8439) spends keystream block 0 on the Poly1305 key and blocks
// 1..15 on the 960-byte payload, so block 16 is fresh keystream no ciphertext uses.
constexpr std::uint32_t kPayloadFirstBlock = 1;
constexpr std::uint32_t kPadBlock = kPayloadFirstBlock + kLayerPlaintextBytes / 64;

void check_sizes(std::size_t in, std::size_t in_expected, std::size_t out, std::size_t out_expected) {
  if (in != in_expected || out != out_expected) std::abort();  // programming error
}

void forward_pad(const crypto::SecretBytes& key, std::uint64_t counter, MutableByteView pad) {
  static constexpr ByteArray<kLayerPadBytes> kZeros{};
  crypto::chacha20_xor(key, crypto::counter_nonce(counter), kPadBlock, kZeros, pad);
}

// The AEAD's payload keystream (from block 1) over the first `out.size()` bytes.
void payload_keystream(const crypto::SecretBytes& key, std::uint64_t counter, MutableByteView out) {
  std::fill(out.begin(), out.end(), 0);
  crypto::chacha20_xor(key, crypto::counter_nonce(counter), kPayloadFirstBlock, out, out);
}

void xor_into(MutableByteView target, ByteView source) {
  for (std::size_t i = 0; i < target.size(); ++i) target[i] ^= source[i];
}

}  // namespace

Status unwrap_forward_layer(const crypto::SecretBytes& forward_key, std::uint64_t counter, ByteView body,
                            MutableByteView out) {
  check_sizes(body.size(), kCellBodyBytes, out.size(), kCellBodyBytes);
  ZM_CHECK(crypto::chacha20poly1305_open(forward_key, crypto::counter_nonce(counter), {}, body,
                                         out.subspan(kLayerPadBytes)));
  forward_pad(forward_key, counter, out.first(kLayerPadBytes));
  return {};
}

void wrap_backward_layer(const crypto::SecretBytes& backward_key, std::uint64_t counter, ByteView body,
                         MutableByteView out) {
  check_sizes(body.size(), kCellBodyBytes, out.size(), kCellBodyBytes);
  crypto::chacha20_xor(backward_key, crypto::counter_nonce(counter), 0, body, out);
}

Status open_at_last_hop(const crypto::SecretBytes& forward_key, std::uint64_t counter, ByteView body,
                        MutableByteView region) {
  check_sizes(body.size(), kCellBodyBytes, region.size(), kRelayMessageRegionBytes);
  ByteArray<kLayerPlaintextBytes> plaintext;
  ZM_CHECK(crypto::chacha20poly1305_open(forward_key, crypto::counter_nonce(counter), {}, body, plaintext));
  std::memcpy(region.data(), plaintext.data() + kExitHeadroomBytes, kRelayMessageRegionBytes);
  return {};
}

void seal_at_last_hop(const crypto::SecretBytes& backward_key, std::uint64_t counter, ByteView region,
                      MutableByteView body) {
  check_sizes(region.size(), kRelayMessageRegionBytes, body.size(), kCellBodyBytes);
  ByteArray<kLayerPlaintextBytes> plaintext{};
  std::memcpy(plaintext.data() + kExitHeadroomBytes, region.data(), region.size());
  crypto::chacha20poly1305_seal(backward_key, crypto::counter_nonce(counter), {}, plaintext, body);
}

void seal_at_client(std::span<const HopKeys> hops, std::uint64_t counter, ByteView region, RandomSource& random,
                    MutableByteView body) {
  check_sizes(region.size(), kRelayMessageRegionBytes, body.size(), kCellBodyBytes);
  if (hops.empty() || hops.size() > kMaxHops) std::abort();
  const std::size_t last = hops.size() - 1;

  // filler = what the hops before the last have put in front of the last hop's ciphertext:
  // hop i prepends its pad to its plaintext, which is the previous filler decrypted by hop i.
  ByteArray<kExitHeadroomBytes> filler{};
  ByteArray<kExitHeadroomBytes> keystream{};
  std::size_t filler_bytes = 0;
  for (std::size_t i = 0; i < last; ++i) {
    const MutableByteView head = MutableByteView(keystream).first(filler_bytes);
    payload_keystream(hops[i].forward, counter, head);
    xor_into(MutableByteView(filler).first(filler_bytes), head);
    std::memmove(filler.data() + kLayerPadBytes, filler.data(), filler_bytes);
    forward_pad(hops[i].forward, counter, MutableByteView(filler).first(kLayerPadBytes));
    filler_bytes += kLayerPadBytes;
  }

  // The last hop's plaintext: whatever encrypts to the filler, random headroom, the region.
  ByteArray<kLayerPlaintextBytes> plaintext{};
  payload_keystream(hops[last].forward, counter, MutableByteView(plaintext).first(filler_bytes));
  xor_into(MutableByteView(plaintext).first(filler_bytes), ByteView(filler).first(filler_bytes));
  random.fill(MutableByteView(plaintext).subspan(filler_bytes, kExitHeadroomBytes - filler_bytes));
  std::memcpy(plaintext.data() + kExitHeadroomBytes, region.data(), region.size());
  crypto::chacha20poly1305_seal(hops[last].forward, crypto::counter_nonce(counter), {}, plaintext, body);

  // Outer layers: hop i must turn its body into (pad_i | plaintext_i) = body_{i+1}, so its
  // plaintext is body_{i+1} without the leading pad (which the filler put there already).
  for (std::size_t i = last; i-- > 0;) {
    std::memcpy(plaintext.data(), body.data() + kLayerPadBytes, kLayerPlaintextBytes);
    crypto::chacha20poly1305_seal(hops[i].forward, crypto::counter_nonce(counter), {}, plaintext, body);
  }
  crypto::wipe(plaintext);
}

Status open_at_client(std::span<const HopKeys> hops, std::uint64_t counter, ByteView body, MutableByteView region) {
  check_sizes(body.size(), kCellBodyBytes, region.size(), kRelayMessageRegionBytes);
  if (hops.empty() || hops.size() > kMaxHops) std::abort();
  CellBody layered;
  std::memcpy(layered.data(), body.data(), body.size());
  for (std::size_t i = 0; i + 1 < hops.size(); ++i)
    crypto::chacha20_xor(hops[i].backward, crypto::counter_nonce(counter), 0, layered, layered);
  ByteArray<kLayerPlaintextBytes> plaintext;
  ZM_CHECK(crypto::chacha20poly1305_open(hops.back().backward, crypto::counter_nonce(counter), {}, layered, plaintext));
  std::uint8_t headroom = 0;
  for (std::size_t i = 0; i < kExitHeadroomBytes; ++i) headroom |= plaintext[i];
  if (headroom != 0) return make_error(Errc::verify_failed, "backward cell headroom is not zero");
  std::memcpy(region.data(), plaintext.data() + kExitHeadroomBytes, kRelayMessageRegionBytes);
  crypto::wipe(plaintext);
  return {};
}

}  // namespace zmesh::onion
