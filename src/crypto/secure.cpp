#include "crypto/secure.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "crypto/misuse.hpp"

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
  init();  // sodium_malloc needs the page size libsodium learns in sodium_init
  // sodium_malloc: guard pages around the region, mlock, canary checked by sodium_free.
  void* p = sodium_malloc(size);
  if (p == nullptr) {
    std::fputs("zmesh: sodium_malloc failed for a secret buffer; aborting\n", stderr);
    std::abort();
  }
  data_ = static_cast<std::uint8_t*>(p);
  size_ = size;
  sodium_memzero(data_, size_);
}

SecretBytes SecretBytes::copy_of(ByteView bytes) {
  SecretBytes out(bytes.size());
  if (!bytes.empty()) std::memcpy(out.data_, bytes.data(), bytes.size());
  return out;
}

SecretBytes::~SecretBytes() { release(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

SecretBytes SecretBytes::clone() const { return copy_of(view()); }

void SecretBytes::release() {
  if (data_ != nullptr) {
    // sodium_free wipes the region itself; the explicit memzero documents the intent and
    // does not depend on that implementation detail.
    sodium_memzero(data_, size_);
    sodium_free(data_);
  }
  data_ = nullptr;
  size_ = 0;
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
