// Circuit setup with one Sphinx-format packet (Danezis & Goldberg, "Sphinx: A Compact and
// Provably Secure Mix Format", IEEE S&P 2009), with a post-quantum KEM per hop in the manner
// of Outfox (Rial, Piotrowska, Halpin, "Outfox: a Postquantum Packet Format for Layered
// Mixnets", arXiv:2412.19937): each hop's ML-KEM-768 ciphertext travels inside the routing information
// of the hop before it, and the hop's keys come from the X25519 Sphinx secret combined with
// the KEM secret. Layout: sphinx_format.hpp; key schedule: sphinx_keys.hpp; spec:
// docs/protocol/onion.md.
//
// What each hop learns: its predecessor (the link the packet came on) and its successor
// (decrypted from its slot), or that it is the last hop. Every header has the same size for
// 1..3 hops, and alpha is re-blinded at every hop, so two hops of one circuit cannot link
// their headers by content.
#pragma once

#include <span>
#include <vector>

#include "crypto/hybrid_kem.hpp"
#include "identity/node_id.hpp"
#include "identity/onion_key.hpp"
#include "onion/sphinx_format.hpp"
#include "onion/sphinx_keys.hpp"
#include "runtime/random.hpp"
#include "util/result.hpp"

namespace zmesh::onion {

// One hop of a path as the client knows it from the relay's signed descriptor.
struct SetupHop {
  NodeId node;
  OnionKeyId key_id;
  crypto::HybridKemPublicKey onion_key;

  static SetupHop from_descriptor(const NodeId& node, const OnionPublicKey& key) { return {node, key.id(), key.key}; }
};

// --- client side ---

struct BuiltSetup {
  Bytes header;               // kSetupHeaderBytes, to send to path[0]
  std::vector<HopKeys> hops;  // one per hop, in path order
};

// 1..kMaxHops hops, all distinct. Draws 32 bytes (ephemeral X25519), 32 per hop (ML-KEM
// encapsulation) and the final slot's padding from `random`.
Result<BuiltSetup> build_setup_header(std::span<const SetupHop> path, RandomSource& random);

// --- relay side, in two steps so that a replay is refused before the second X25519 ---

struct OpenedSetup {
  HopSchedule schedule;
  crypto::X25519PublicKey alpha;
};

// Derives this hop's keys from `key` (which the caller chose by the header's key id) and
// checks the header MAC. Errors: malformed (size), crypto_failure (alpha of small order),
// verify_failed (MAC: any modified bit, or a header built for another key).
Result<OpenedSetup> open_setup_header(const OnionKeyPair& key, ByteView header);

struct SetupRouting {
  bool final = false;  // this hop is the last one
  NodeId next;         // otherwise: where next_header goes
};

// Decrypts the routing information into `routing` (kRoutingBytes of scratch, left holding the
// decrypted stream) and, for a forward slot, writes the next hop's header (same size) into
// `next_header`. Errors: malformed (unknown slot type, non-zero reserved bytes),
// crypto_failure (blinding produced the identity).
Result<SetupRouting> unwrap_setup_header(const OpenedSetup& opened, ByteView header, MutableByteView routing,
                                         MutableByteView next_header);

inline OnionKeyId setup_header_key_id(ByteView header) {
  OnionKeyId id;
  for (std::size_t i = 0; i < kKeyIdBytes; ++i) id.bytes[i] = header[kKeyIdOffset + i];
  return id;
}

}  // namespace zmesh::onion
