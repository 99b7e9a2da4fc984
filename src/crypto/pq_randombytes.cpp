#include "crypto/pq_randombytes.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

// Declares `int randombytes(uint8_t*, size_t)` with C linkage; the header renames it to
// PQCLEAN_randombytes, the symbol PQClean's ML-KEM and ML-DSA call. We provide it here
// instead of compiling PQClean's common/randombytes.c (which reads the OS RNG directly).
#include "randombytes.h"

namespace zmesh::crypto::detail {
namespace {
thread_local RandomSource* current_source = nullptr;
}  // namespace

PqRandomScope::PqRandomScope(RandomSource& source) : previous_(current_source) { current_source = &source; }

PqRandomScope::~PqRandomScope() { current_source = previous_; }

void ExactBytesSource::fill(MutableByteView out) {
  if (out.size() > remaining_.size()) {
    std::fputs("zmesh: ExactBytesSource over-drawn; a construction used more coins than specified\n", stderr);
    std::abort();
  }
  std::memcpy(out.data(), remaining_.data(), out.size());
  remaining_ = remaining_.subspan(out.size());
}

}  // namespace zmesh::crypto::detail

int randombytes(uint8_t* output, size_t n) {
  zmesh::RandomSource* source = zmesh::crypto::detail::current_source;
  if (source == nullptr) {
    std::fputs("zmesh: PQClean asked for randomness outside a PqRandomScope; aborting\n", stderr);
    std::abort();
  }
  source->fill({output, n});
  return 0;
}
