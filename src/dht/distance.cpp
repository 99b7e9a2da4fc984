#include "dht/distance.hpp"

namespace zmesh::dht {

int common_prefix_bits(const NodeId& a, const NodeId& b) {
  for (std::size_t i = 0; i < NodeId::kBytes; ++i) {
    const unsigned x = a.bytes[i] ^ b.bytes[i];
    if (x == 0) continue;
    int bits = 0;
    for (unsigned mask = 0x80; (x & mask) == 0; mask >>= 1) ++bits;
    return static_cast<int>(i) * 8 + bits;
  }
  return kIdBits;
}

bool closer_to(const NodeId& target, const NodeId& a, const NodeId& b) {
  for (std::size_t i = 0; i < NodeId::kBytes; ++i) {
    const std::uint8_t da = a.bytes[i] ^ target.bytes[i];
    const std::uint8_t db = b.bytes[i] ^ target.bytes[i];
    if (da != db) return da < db;
  }
  return false;
}

double distance_share(const NodeId& a, const NodeId& b) {
  std::uint64_t top = 0;
  for (std::size_t i = 0; i < 8; ++i) top = top << 8 | static_cast<std::uint8_t>(a.bytes[i] ^ b.bytes[i]);
  return static_cast<double>(top) * 0x1p-64;
}

NodeId random_id_in_bucket(const NodeId& self, int prefix_bits, RandomSource& random) {
  NodeId out;
  random.fill(out.bytes);
  if (prefix_bits >= kIdBits) return self;
  // Copy the shared prefix, flip the next bit, keep the rest random.
  for (int bit = 0; bit <= prefix_bits; ++bit) {
    const std::size_t byte = static_cast<std::size_t>(bit / 8);
    const std::uint8_t mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
    std::uint8_t want = self.bytes[byte] & mask;
    if (bit == prefix_bits) want ^= mask;
    out.bytes[byte] = static_cast<std::uint8_t>((out.bytes[byte] & ~mask) | want);
  }
  return out;
}

}  // namespace zmesh::dht
