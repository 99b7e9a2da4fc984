// Routes PQClean's global randombytes() to the RandomSource injected by the caller.
// PQClean draws its randomness through one C function; we bind it, for the duration of one
// wrapper call and on the calling thread only, to the RandomSource& that call was given.
// Internal to src/crypto.
#pragma once

#include "runtime/random.hpp"

namespace zmesh::crypto::detail {

// RAII: while alive, randombytes() on this thread draws from `source`. Nests (the previous
// source is restored on destruction). randombytes() with no scope active aborts: PQClean
// must never silently fall back to another generator.
class PqRandomScope {
 public:
  explicit PqRandomScope(RandomSource& source);
  ~PqRandomScope();
  PqRandomScope(const PqRandomScope&) = delete;
  PqRandomScope& operator=(const PqRandomScope&) = delete;

 private:
  RandomSource* previous_;
};

// A RandomSource that hands out exactly the given bytes, in order, and aborts if asked for
// more: used where a specification fixes the coins (X-Wing's expanded seed and eseed feed
// ML-KEM's d || z and m). Does not copy: `bytes` must outlive it.
class ExactBytesSource final : public RandomSource {
 public:
  explicit ExactBytesSource(ByteView bytes) : remaining_(bytes) {}
  void fill(MutableByteView out) override;
  bool exhausted() const { return remaining_.empty(); }

 private:
  ByteView remaining_;
};

}  // namespace zmesh::crypto::detail
