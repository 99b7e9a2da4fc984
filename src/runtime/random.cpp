#include "runtime/random.hpp"

#include <sodium.h>

#include <cstdlib>
#include <cstring>

namespace zmesh {

std::uint64_t RandomSource::next_u64() {
  ByteArray<8> raw = array<8>();
  std::uint64_t v = 0;
  for (auto b : raw) v = v << 8 | b;
  return v;
}

std::uint64_t RandomSource::uniform(std::uint64_t bound) {
  if (bound == 0) std::abort();
  // Rejection sampling: drop the top partial range so every residue is equally likely.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  for (;;) {
    std::uint64_t v = next_u64();
    if (v < limit) return v % bound;
  }
}

double RandomSource::unit() { return static_cast<double>(next_u64() >> 11) * (1.0 / 9007199254740992.0); }

void SystemRandom::fill(MutableByteView out) {
  // sodium_init() is idempotent and thread-safe; under WebAssembly it wires
  // randombytes to the host's crypto.getRandomValues, so it must precede use.
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();
  randombytes_buf(out.data(), out.size());
}

SeededRandom::SeededRandom(std::uint64_t seed) {
  ByteArray<8> raw{};
  for (int i = 0; i < 8; ++i) raw[i] = static_cast<std::uint8_t>(seed >> (56 - 8 * i));
  // Spread the 64-bit seed over a full key so that nearby seeds give unrelated streams.
  crypto_generichash(key_.data(), key_.size(), raw.data(), raw.size(), nullptr, 0);
}

SeededRandom::SeededRandom(const ByteArray<32>& seed) : key_(seed) {}

void SeededRandom::fill(MutableByteView out) {
  std::size_t done = 0;
  while (done < out.size()) {
    if (buffered_ == 0) {
      // One 64-byte ChaCha20 block per counter value; the counter is the nonce.
      ByteArray<crypto_stream_chacha20_NONCEBYTES> nonce{};
      for (int i = 0; i < 8; ++i) nonce[i] = static_cast<std::uint8_t>(block_counter_ >> (56 - 8 * i));
      crypto_stream_chacha20(buffer_.data(), buffer_.size(), nonce.data(), key_.data());
      ++block_counter_;
      buffered_ = buffer_.size();
    }
    std::size_t take = std::min(buffered_, out.size() - done);
    std::memcpy(out.data() + done, buffer_.data() + (buffer_.size() - buffered_), take);
    buffered_ -= take;
    done += take;
  }
}

std::unique_ptr<SeededRandom> SeededRandom::fork() { return std::make_unique<SeededRandom>(array<32>()); }

}  // namespace zmesh
