// Seed corpora are produced by the fuzz targets themselves, so that they always match the
// current format: run a target with ZMESH_FUZZ_WRITE_SEEDS=DIR and it writes its seeds into
// DIR and exits, e.g.
//   ZMESH_FUZZ_WRITE_SEEDS=fuzz/corpus/fuzz_descriptor build-fuzz/fuzz/fuzz_descriptor
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "util/bytes.hpp"

namespace zmesh::fuzz {

inline void write_seed(const char* dir, const std::string& name, ByteView bytes) {
  const std::string path = std::string(dir) + "/" + name;
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), file) != bytes.size() || std::fclose(file) != 0) {
    std::fprintf(stderr, "cannot write seed %s\n", path.c_str());
    std::exit(1);
  }
  std::fprintf(stderr, "wrote seed %s (%zu bytes)\n", path.c_str(), bytes.size());
}

// Calls write(dir) and exits when ZMESH_FUZZ_WRITE_SEEDS is set; returns otherwise.
template <class Write>
void write_seeds_if_asked(Write write) {
  const char* dir = std::getenv("ZMESH_FUZZ_WRITE_SEEDS");
  if (dir == nullptr) return;
  write(dir);
  std::exit(0);
}

}  // namespace zmesh::fuzz
