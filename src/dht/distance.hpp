// The Kademlia metric: distance(a, b) = a XOR b read as a 256-bit big-endian integer
// (Maymounkov & Mazières 2002, §2.1). Node ids and record keys live in the same space.
#pragma once

#include "identity/node_id.hpp"
#include "runtime/random.hpp"

namespace zmesh::dht {

inline constexpr int kIdBits = 256;

inline NodeId xor_distance(const NodeId& a, const NodeId& b) {
  NodeId out;
  for (std::size_t i = 0; i < NodeId::kBytes; ++i) out.bytes[i] = a.bytes[i] ^ b.bytes[i];
  return out;
}

// Number of leading bits a and b share (256 when equal). The k-bucket of `other` in the table
// of `self` is common_prefix_bits(self, other): bucket 0 holds the farther half of the space.
int common_prefix_bits(const NodeId& a, const NodeId& b);

// Strictly closer: distance(target, a) < distance(target, b).
bool closer_to(const NodeId& target, const NodeId& a, const NodeId& b);

// distance(a, b) as a share of the id space, in [0, 1): its leading 64 bits / 2^64. Precise
// enough to compare neighbourhood sizes in networks of up to ~10^15 nodes.
double distance_share(const NodeId& a, const NodeId& b);

// A uniformly random id sharing exactly `prefix_bits` leading bits with `self` (0..255), i.e.
// an id that falls in bucket `prefix_bits`. Used for bucket refresh (§2.3).
NodeId random_id_in_bucket(const NodeId& self, int prefix_bits, RandomSource& random);

}  // namespace zmesh::dht
