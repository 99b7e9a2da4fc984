// Secret material: guarded memory (regions from libsodium's sodium_malloc: guard pages, mlock,
// no core dumps; small secrets share a region, each with its own canary, see
// secret_pool.hpp), wiped on destruction, compared in constant time. Every secret key lives
// in a SecretBytes.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"

namespace zmesh::crypto {
namespace detail {
struct SecretChunk;
}

// Must be called once before any other crypto function (idempotent, thread-safe).
// Aborts if libsodium cannot initialise: running without a CSPRNG is never acceptable.
void init();

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size);  // zero-filled
  static SecretBytes copy_of(ByteView bytes);
  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  SecretBytes clone() const;

  std::uint8_t* data() { return data_; }
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  ByteView view() const { return {data_, size_}; }
  MutableByteView mutable_view() { return {data_, size_}; }

 private:
  void release();
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  detail::SecretChunk* chunk_ = nullptr;  // the pooled region data_ lives in (secret_pool.hpp)
};

// Constant-time equality (false on length mismatch; the length itself is not secret).
bool constant_time_equal(ByteView a, ByteView b);
// Zeroes memory in a way the compiler cannot optimise away.
void wipe(MutableByteView bytes);

}  // namespace zmesh::crypto
