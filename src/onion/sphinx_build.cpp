// Client side of the setup packet (sphinx.hpp): building one header for a whole path.
#include <algorithm>
#include <cstring>

#include "crypto/mlkem768.hpp"
#include "onion/sphinx.hpp"

namespace zmesh::onion {
namespace {

// Per hop, what the header construction needs beyond the keys.
struct HopMaterial {
  HopSchedule schedule;
  crypto::X25519PublicKey alpha;
  Bytes kem_ciphertext;
  Bytes routing_stream;  // ChaCha20(rho) over kRoutingBytes, as the hop will XOR it
};

Status check_path(std::span<const SetupHop> path) {
  if (path.empty() || path.size() > kMaxHops) return make_error(Errc::invalid_argument, "a path has 1 to 3 hops");
  for (std::size_t i = 0; i < path.size(); ++i)
    for (std::size_t j = i + 1; j < path.size(); ++j)
      if (path[i].node == path[j].node) return make_error(Errc::invalid_argument, "a path must not use a relay twice");
  return {};
}

// The hop secrets for every hop: dh_i = b_{i-1} * ... * b_0 * x * Y_i, the value hop i computes as
// y_i * alpha_i (Sphinx §3.2), and alpha_{i+1} = b_i * alpha_i.
Result<std::vector<HopMaterial>> derive_path_material(std::span<const SetupHop> path, RandomSource& random) {
  const crypto::X25519KeyPair ephemeral = crypto::x25519_generate(random);
  std::vector<HopMaterial> hops;
  hops.reserve(path.size());
  crypto::X25519PublicKey alpha = ephemeral.public_key;
  for (const SetupHop& hop : path) {
    crypto::KemEncapsulation kem = crypto::mlkem768_encapsulate(hop.onion_key.mlkem, random);
    ZM_TRY(crypto::SecretBytes dh, crypto::x25519_shared(ephemeral.secret_key, hop.onion_key.x25519));
    for (const HopMaterial& earlier : hops) {
      ZM_TRY(crypto::SecretBytes blinded, x25519_multiply(earlier.schedule.blinding, dh.view()));
      dh = std::move(blinded);
    }
    HopMaterial material{derive_hop_schedule(kem.shared_secret, dh, alpha, hop.onion_key.x25519), alpha,
                         std::move(kem.ciphertext), Bytes(kRoutingBytes, 0)};
    xor_routing_stream(material.schedule.routing_key, material.routing_stream);
    ZM_TRY(crypto::SecretBytes next_alpha, x25519_multiply(material.schedule.blinding, alpha.bytes));
    std::memcpy(alpha.bytes.data(), next_alpha.data(), kAlphaBytes);
    hops.push_back(std::move(material));
  }
  return hops;
}

void xor_into(MutableByteView target, ByteView source) {
  for (std::size_t i = 0; i < target.size(); ++i) target[i] ^= source[i];
}

// Sphinx §3.2 filler: what the shifts of hops 0..r-2 append to beta, as the last hop sees it.
Bytes compute_filler(const std::vector<HopMaterial>& hops) {
  Bytes filler;
  for (std::size_t i = 0; i + 1 < hops.size(); ++i) {
    filler.resize(filler.size() + kSlotBytes, 0);
    const ByteView stream(hops[i].routing_stream);
    xor_into(filler, stream.subspan(kRoutingBytes - filler.size()));
  }
  return filler;
}

void seal_header(const HopMaterial& hop, const OnionKeyId& key_id, MutableByteView header) {
  std::memcpy(header.data() + kKeyIdOffset, key_id.bytes.data(), kKeyIdBytes);
  std::memcpy(header.data() + kAlphaOffset, hop.alpha.bytes.data(), kAlphaBytes);
  std::memcpy(header.data() + kKemOffset, hop.kem_ciphertext.data(), kKemCiphertextBytes);
  const ByteArray<16> mac = header_mac(hop.schedule.mac_key, ByteView(header).first(kMacOffset));
  std::memcpy(header.data() + kMacOffset, mac.data(), mac.size());
}

}  // namespace

Result<BuiltSetup> build_setup_header(std::span<const SetupHop> path, RandomSource& random) {
  ZM_CHECK(check_path(path));
  ZM_TRY(std::vector<HopMaterial> hops, derive_path_material(path, random));
  const std::size_t last = hops.size() - 1;

  // The last hop's beta: the final slot, random padding up to where the filler starts (so the
  // last hop cannot tell a short path by zeros), all under its stream, then the filler.
  Bytes header(kSetupHeaderBytes, 0);
  {
    const MutableByteView beta = MutableByteView(header).subspan(kBetaOffset, kBetaBytes);
    const Bytes filler = compute_filler(hops);
    const std::size_t plain_bytes = kBetaBytes - filler.size();
    beta[0] = kSlotFinal;
    random.fill(beta.subspan(kFinalSlotBytes, plain_bytes - kFinalSlotBytes));
    xor_into(beta.first(plain_bytes), hops[last].routing_stream);
    std::memcpy(beta.data() + plain_bytes, filler.data(), filler.size());
    seal_header(hops[last], path[last].key_id, header);
  }

  // Wrap outwards: hop i's slot names hop i+1 and carries its key id, KEM ciphertext and MAC.
  Bytes inner(kSetupHeaderBytes);
  for (std::size_t i = last; i-- > 0;) {
    inner.swap(header);  // swaps the buffers: take the view again
    const MutableByteView beta = MutableByteView(header).subspan(kBetaOffset, kBetaBytes);
    beta[0] = kSlotForward;
    std::memcpy(beta.data() + kSlotNodeOffset, path[i + 1].node.bytes.data(), NodeId::kBytes);
    std::memcpy(beta.data() + kSlotKeyIdOffset, inner.data() + kKeyIdOffset, kKeyIdBytes);
    std::memcpy(beta.data() + kSlotKemOffset, inner.data() + kKemOffset, kKemCiphertextBytes);
    std::memcpy(beta.data() + kSlotMacOffset, inner.data() + kMacOffset, kHeaderMacBytes);
    std::memcpy(beta.data() + kSlotBytes, inner.data() + kBetaOffset, kBetaBytes - kSlotBytes);
    xor_into(beta, hops[i].routing_stream);
    seal_header(hops[i], path[i].key_id, header);
  }

  BuiltSetup built;
  built.header = std::move(header);
  built.hops.reserve(hops.size());
  for (HopMaterial& hop : hops) built.hops.push_back(std::move(hop.schedule.keys));
  return built;
}

}  // namespace zmesh::onion
