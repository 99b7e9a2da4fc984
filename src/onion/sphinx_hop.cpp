// Relay side of the setup packet (sphinx.hpp): what one hop does with a header.
#include <algorithm>
#include <cstring>

#include "crypto/mlkem768.hpp"
#include "onion/sphinx.hpp"

namespace zmesh::onion {

Result<OpenedSetup> open_setup_header(const OnionKeyPair& key, ByteView header) {
  if (header.size() != kSetupHeaderBytes) return make_error(Errc::malformed, "setup header must be 3450 bytes");
  OpenedSetup opened;
  std::memcpy(opened.alpha.bytes.data(), header.data() + kAlphaOffset, kAlphaBytes);
  // Sphinx §3.2: the hop's share of the group secret; an all-zero result (low-order alpha)
  // is refused by the wrapper.
  ZM_TRY(crypto::SecretBytes dh, crypto::x25519_shared(key.keys.x25519_secret, opened.alpha));
  // FIPS 203 implicit rejection: a modified kem_ct gives an unrelated secret, caught by the MAC.
  ZM_TRY(crypto::SecretBytes kem,
         crypto::mlkem768_decapsulate(key.keys.mlkem_secret, header.subspan(kKemOffset, kKemCiphertextBytes)));
  opened.schedule = derive_hop_schedule(kem, dh, opened.alpha, key.keys.public_key.x25519);
  // The MAC covers key_id, alpha and kem_ct as well as beta: X25519 ignores alpha's top bit,
  // and a header must not be accepted in two spellings.
  const ByteArray<16> expected = header_mac(opened.schedule.mac_key, header.first(kMacOffset));
  if (!crypto::constant_time_equal(expected, header.subspan(kMacOffset, kHeaderMacBytes)))
    return make_error(Errc::verify_failed, "setup header MAC mismatch");
  return opened;
}

Result<SetupRouting> unwrap_setup_header(const OpenedSetup& opened, ByteView header, MutableByteView routing,
                                         MutableByteView next_header) {
  if (header.size() != kSetupHeaderBytes || routing.size() != kRoutingBytes)
    return make_error(Errc::invalid_argument, "unwrap_setup_header: wrong buffer sizes");
  // Sphinx §3.2: decrypt beta || 0^S; the first slot is ours, the rest shifted left is the
  // next hop's beta, its tail the pseudo-random filler that keeps the size constant.
  std::memcpy(routing.data(), header.data() + kBetaOffset, kBetaBytes);
  std::fill(routing.begin() + kBetaBytes, routing.end(), 0);
  xor_routing_stream(opened.schedule.routing_key, routing);

  SetupRouting result;
  if (routing[0] == kSlotFinal) {
    std::uint8_t reserved = 0;
    for (std::size_t i = 1; i < kFinalSlotBytes; ++i) reserved |= routing[i];
    if (reserved != 0) return make_error(Errc::malformed, "setup final slot has non-zero reserved bytes");
    result.final = true;
    return result;
  }
  if (routing[0] != kSlotForward) return make_error(Errc::malformed, "setup slot has an unknown type");
  if (next_header.size() != kSetupHeaderBytes) return make_error(Errc::invalid_argument, "next header buffer must be 3450 bytes");
  std::memcpy(result.next.bytes.data(), routing.data() + kSlotNodeOffset, NodeId::kBytes);
  // Sphinx blinding: alpha' = b * alpha, so the next hop sees an unlinkable group element.
  ZM_TRY(crypto::SecretBytes next_alpha, x25519_multiply(opened.schedule.blinding, opened.alpha.bytes));
  std::uint8_t* out = next_header.data();
  std::memcpy(out + kKeyIdOffset, routing.data() + kSlotKeyIdOffset, kKeyIdBytes);
  std::memcpy(out + kAlphaOffset, next_alpha.data(), kAlphaBytes);
  std::memcpy(out + kKemOffset, routing.data() + kSlotKemOffset, kKemCiphertextBytes);
  std::memcpy(out + kBetaOffset, routing.data() + kSlotBytes, kBetaBytes);
  std::memcpy(out + kMacOffset, routing.data() + kSlotMacOffset, kHeaderMacBytes);
  return result;
}

}  // namespace zmesh::onion
