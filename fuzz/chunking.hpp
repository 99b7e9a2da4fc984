// Stream parsers must not care how the network cuts their input: the fuzz targets for them feed
// the same bytes once whole and once in pieces and require identical results. The piece sizes
// come from one input byte, so the fuzzer explores the cuts too.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "util/bytes.hpp"

namespace zmesh::fuzz {

// Cuts `data` into pieces of 1..64 bytes (sizes from a small LCG seeded by `seed`); seed 0
// cuts after every byte.
inline std::vector<ByteView> split_chunks(ByteView data, std::uint8_t seed) {
  std::vector<ByteView> chunks;
  std::uint32_t state = seed;
  std::size_t offset = 0;
  while (offset < data.size()) {
    std::size_t size = 1;
    if (seed != 0) {
      state = state * 1103515245u + 12345u;
      size = 1 + (state >> 16) % 64;
    }
    size = std::min(size, data.size() - offset);
    chunks.push_back(data.subspan(offset, size));
    offset += size;
  }
  return chunks;
}

}  // namespace zmesh::fuzz
