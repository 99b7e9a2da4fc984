#include "sim/topology.hpp"

#include <algorithm>

namespace zmesh::sim {
namespace {

bool linked(const Adjacency& g, std::uint32_t a, std::uint32_t b) {
  return std::find(g[a].begin(), g[a].end(), b) != g[a].end();
}

void link(Adjacency& g, std::uint32_t a, std::uint32_t b) {
  if (a == b || linked(g, a, b)) return;
  g[a].push_back(b);
  g[b].push_back(a);
}

}  // namespace

Adjacency ring_with_chords(std::uint32_t nodes, std::uint32_t degree, RandomSource& random) {
  Adjacency g(nodes);
  if (nodes < 2) return g;
  const std::uint32_t target = std::min(degree, nodes - 1);
  for (std::uint32_t i = 0; i < nodes; ++i) link(g, i, (i + 1) % nodes);
  for (std::uint32_t i = 0; i < nodes; ++i) {
    // A bounded number of tries per node: in tiny or nearly complete graphs some picks
    // collide, and the graph just ends up slightly sparser there.
    for (std::uint32_t tries = 0; g[i].size() < target && tries < 4 * target; ++tries) {
      auto j = static_cast<std::uint32_t>(random.uniform(nodes));
      if (g[j].size() < target + 2) link(g, i, j);
    }
  }
  for (auto& neighbours : g) std::sort(neighbours.begin(), neighbours.end());
  return g;
}

}  // namespace zmesh::sim
