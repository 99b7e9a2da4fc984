#include "crypto/secure.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "crypto/misuse.hpp"
#include "crypto/secret_pool.hpp"

namespace zmesh::crypto {

void init() {
  // sodium_init is itself idempotent and thread-safe: 0 = initialised now, 1 = already.
  if (sodium_init() < 0) {
    std::fputs("zmesh: libsodium failed to initialise (no CSPRNG); aborting\n", stderr);
    std::abort();
  }
}

SecretBytes::SecretBytes(std::size_t size) {
  if (size == 0) return;
  const detail::SecretAllocation allocation = detail::secret_allocate(size);  // zero-filled
  data_ = allocation.data;
  chunk_ = allocation.chunk;
  size_ = size;
}

SecretBytes SecretBytes::copy_of(ByteView bytes) {
  SecretBytes out(bytes.size());
  if (!bytes.empty()) std::memcpy(out.data_, bytes.data(), bytes.size());
  return out;
}

SecretBytes::~SecretBytes() { release(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(other.data_), size_(other.size_), chunk_(other.chunk_) {
  other.data_ = nullptr;
  other.size_ = 0;
  other.chunk_ = nullptr;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    chunk_ = other.chunk_;
    other.data_ = nullptr;
    other.size_ = 0;
    other.chunk_ = nullptr;
  }
  return *this;
}

SecretBytes SecretBytes::clone() const { return copy_of(view()); }

void SecretBytes::release() {
  if (data_ != nullptr) detail::secret_release({data_, chunk_}, size_);  // checks the canary, wipes
  data_ = nullptr;
  size_ = 0;
  chunk_ = nullptr;
}

bool constant_time_equal(ByteView a, ByteView b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void wipe(MutableByteView bytes) {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

namespace detail {

void misuse(const char* what) {
  std::fprintf(stderr, "zmesh crypto misuse: %s\n", what);
  std::abort();
}

}  // namespace detail
}  // namespace zmesh::crypto
