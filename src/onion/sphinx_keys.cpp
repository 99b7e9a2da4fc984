#include "onion/sphinx_keys.hpp"

#include <cstring>

#include "crypto/aead.hpp"
#include "crypto/hash.hpp"

namespace zmesh::onion {
namespace {

constexpr std::string_view kHopLabel = "zmesh/onion/v1/hop";
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kRhoOffset = 0;
constexpr std::size_t kMuOffset = 32;
constexpr std::size_t kBlindOffset = 64;
constexpr std::size_t kTagOffset = 96;
constexpr std::size_t kForwardOffset = 112;
constexpr std::size_t kBackwardOffset = 144;
constexpr std::size_t kOkmBytes = 176;

crypto::SecretBytes slice(const crypto::SecretBytes& okm, std::size_t offset) {
  return crypto::SecretBytes::copy_of(okm.view().subspan(offset, kKeyBytes));
}

}  // namespace

HopSchedule derive_hop_schedule(const crypto::SecretBytes& kem_shared, const crypto::SecretBytes& dh_shared,
                                const crypto::X25519PublicKey& alpha, const crypto::X25519PublicKey& hop_public) {
  crypto::SecretBytes ikm(kem_shared.size() + dh_shared.size() + alpha.bytes.size() + hop_public.bytes.size());
  std::uint8_t* p = ikm.data();
  std::memcpy(p, kem_shared.data(), kem_shared.size());
  p += kem_shared.size();
  std::memcpy(p, dh_shared.data(), dh_shared.size());
  p += dh_shared.size();
  std::memcpy(p, alpha.bytes.data(), alpha.bytes.size());
  p += alpha.bytes.size();
  std::memcpy(p, hop_public.bytes.data(), hop_public.bytes.size());
  const crypto::SecretBytes okm = crypto::derive_key(ikm.view(), kHopLabel, kOkmBytes);

  HopSchedule schedule;
  schedule.routing_key = slice(okm, kRhoOffset);
  schedule.mac_key = slice(okm, kMuOffset);
  schedule.blinding = slice(okm, kBlindOffset);
  std::memcpy(schedule.replay_tag.data(), okm.data() + kTagOffset, schedule.replay_tag.size());
  schedule.keys.forward = slice(okm, kForwardOffset);
  schedule.keys.backward = slice(okm, kBackwardOffset);
  return schedule;
}

ByteArray<16> header_mac(const crypto::SecretBytes& mac_key, ByteView covered) {
  const Bytes mac = crypto::blake2b_keyed(mac_key.view(), covered, 16);
  ByteArray<16> out{};
  std::memcpy(out.data(), mac.data(), out.size());
  return out;
}

void xor_routing_stream(const crypto::SecretBytes& routing_key, MutableByteView bytes) {
  // rho is used for exactly one routing stream, so a fixed nonce is safe.
  static constexpr ByteArray<crypto::kChaChaNonceBytes> kZeroNonce{};
  crypto::chacha20_xor(routing_key, kZeroNonce, 0, bytes, bytes);
}

Result<crypto::SecretBytes> x25519_multiply(const crypto::SecretBytes& scalar, ByteView point) {
  crypto::X25519PublicKey element;
  if (point.size() != element.bytes.size()) return make_error(Errc::invalid_argument, "x25519 point must be 32 bytes");
  std::memcpy(element.bytes.data(), point.data(), point.size());
  auto product = crypto::x25519_shared(scalar, element);
  crypto::wipe(element.bytes);  // may hold an intermediate DH value on the client
  return product;
}

}  // namespace zmesh::onion
