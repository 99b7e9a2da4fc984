// The per-hop key schedule of the setup packet, shared by the client (which derives it for
// every hop) and the relay (for itself). docs/protocol/onion.md "Key schedule":
//
//   dh     = X25519(onion x25519 secret, alpha)        (client: blinded chain, same value)
//   kem    = ML-KEM-768.Decaps(onion ML-KEM secret, kem_ct)
//   okm    = derive_key(kem | dh | alpha | onion x25519 public, "zmesh/onion/v1/hop", 176)
//   rho    = okm[0:32]     routing-stream key (ChaCha20, nonce 0)
//   mu     = okm[32:64]    header MAC key (keyed BLAKE2b-128)
//   b      = okm[64:96]    Sphinx blinding factor: next alpha = X25519(b, alpha)
//   tag    = okm[96:112]   replay tag
//   kf, kb = okm[112:144], okm[144:176]   data-cell keys, forward and backward
//
// The combiner hashes both shared secrets together with the X25519 transcript (as X-Wing does),
// so an attacker must break both X25519 and ML-KEM-768 to learn any hop key.
#pragma once

#include "crypto/secure.hpp"
#include "crypto/x25519.hpp"
#include "util/bytes.hpp"

namespace zmesh::onion {

using ReplayTag = ByteArray<16>;

// The symmetric keys a hop shares with the client once the setup is processed.
struct HopKeys {
  crypto::SecretBytes forward;   // 32 bytes: cells travelling towards the last hop
  crypto::SecretBytes backward;  // 32 bytes: cells travelling towards the client
};

struct HopSchedule {
  HopKeys keys;
  ReplayTag replay_tag{};
  crypto::SecretBytes routing_key;  // rho
  crypto::SecretBytes mac_key;      // mu
  crypto::SecretBytes blinding;     // b
};

HopSchedule derive_hop_schedule(const crypto::SecretBytes& kem_shared, const crypto::SecretBytes& dh_shared,
                                const crypto::X25519PublicKey& alpha, const crypto::X25519PublicKey& hop_public);

// BLAKE2b-128 keyed with mu over `covered` (every header byte before the MAC).
ByteArray<16> header_mac(const crypto::SecretBytes& mac_key, ByteView covered);

// XORs the routing stream ChaCha20(rho, nonce = 0, from block 0) into `bytes`.
void xor_routing_stream(const crypto::SecretBytes& routing_key, MutableByteView bytes);

// X25519(scalar, point) where `point` is any 32-byte group element (a public key, a blinded
// alpha, or an intermediate DH value on the client). crypto_failure on an all-zero result.
Result<crypto::SecretBytes> x25519_multiply(const crypto::SecretBytes& scalar, ByteView point);

}  // namespace zmesh::onion
