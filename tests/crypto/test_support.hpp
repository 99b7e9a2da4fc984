// Helpers shared by the crypto tests.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string_view>

#include "crypto/secure.hpp"
#include "runtime/random.hpp"
#include "util/bytes.hpp"

namespace zmesh::crypto::test {

// Hands out exactly the scripted bytes, in order; drawing more is recorded as a failure
// (and served as zeros) so a test can assert how many coins a primitive consumed.
class ScriptedRandom final : public RandomSource {
 public:
  explicit ScriptedRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
  void fill(MutableByteView out) override {
    const std::size_t available = bytes_.size() - position_;
    if (out.size() > available) {
      overdrawn_ = true;
      std::memset(out.data(), 0, out.size());
      return;
    }
    std::memcpy(out.data(), bytes_.data() + position_, out.size());
    position_ += out.size();
  }
  bool fully_consumed() const { return !overdrawn_ && position_ == bytes_.size(); }

 private:
  Bytes bytes_;
  std::size_t position_ = 0;
  bool overdrawn_ = false;
};

inline Bytes hex(std::string_view text) {
  auto parsed = from_hex(text);
  if (!parsed.ok()) ADD_FAILURE() << "bad hex in test: " << parsed.error().describe();
  return parsed.ok() ? std::move(parsed).value() : Bytes{};
}

inline Bytes bytes_of(std::string_view text) {
  const ByteView view = as_bytes(text);
  return Bytes(view.begin(), view.end());
}

template <std::size_t N>
Bytes to_bytes(const ByteArray<N>& array) {
  return Bytes(array.begin(), array.end());
}

inline Bytes to_bytes(const SecretBytes& secret) { return Bytes(secret.view().begin(), secret.view().end()); }

inline Bytes flipped(ByteView bytes, std::size_t index, std::uint8_t mask = 0x01) {
  Bytes out(bytes.begin(), bytes.end());
  out[index] ^= mask;
  return out;
}

// libsodium is initialised once per test binary, before any test runs.
inline const bool kCryptoInitialised = (init(), true);

}  // namespace zmesh::crypto::test
