// Neighbour graphs for simulated meshes. Every graph is symmetric (b in a's list iff a in
// b's), without self-loops or duplicates, and built only from the given random stream.
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/random.hpp"

namespace zmesh::sim {

using Adjacency = std::vector<std::vector<std::uint32_t>>;

// A ring (each node linked to its two ring neighbours) plus random chords, so that every
// node ends up with about `degree` neighbours (at least min(degree, n-1) when n is small)
// and the diameter is logarithmic, as in a Watts-Strogatz small world.
Adjacency ring_with_chords(std::uint32_t nodes, std::uint32_t degree, RandomSource& random);

}  // namespace zmesh::sim
