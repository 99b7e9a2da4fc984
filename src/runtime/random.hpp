// Randomness as the sans-IO cores see it: an injected source. Natively it is the operating
// system's CSPRNG; in the simulator and in tests a seeded ChaCha20 stream, so that a run can be
// replayed byte for byte from its seed.
#pragma once

#include <cstdint>
#include <memory>

#include "util/bytes.hpp"

namespace zmesh {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void fill(MutableByteView out) = 0;

  std::uint64_t next_u64();
  // Uniform in [0, bound), without modulo bias. bound must be > 0.
  std::uint64_t uniform(std::uint64_t bound);
  // Uniform in [0, 1).
  double unit();
  template <std::size_t N>
  ByteArray<N> array() {
    ByteArray<N> out{};
    fill(out);
    return out;
  }
};

// libsodium's randombytes_buf (getrandom(2) natively, crypto.getRandomValues in the browser).
class SystemRandom final : public RandomSource {
 public:
  void fill(MutableByteView out) override;
};

// ChaCha20 keystream keyed by a 32-byte seed: deterministic, independent per seed.
class SeededRandom final : public RandomSource {
 public:
  explicit SeededRandom(std::uint64_t seed);
  explicit SeededRandom(const ByteArray<32>& seed);
  void fill(MutableByteView out) override;
  // A new independent stream derived from this one (e.g. one per simulated node).
  std::unique_ptr<SeededRandom> fork();

 private:
  ByteArray<32> key_{};
  std::uint64_t block_counter_ = 0;
  ByteArray<64> buffer_{};
  std::size_t buffered_ = 0;
};

}  // namespace zmesh
