// Bounds-checked decoding. Every read either returns the value and advances, or returns
// Errc::truncated and leaves the reader where it was. Integers are big-endian (network order).
#pragma once

#include <cstdint>
#include <string>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::wire {

class Reader {
 public:
  explicit Reader(ByteView input) : input_(input) {}

  std::size_t remaining() const { return input_.size() - offset_; }
  std::size_t offset() const { return offset_; }
  bool at_end() const { return remaining() == 0; }

  Result<std::uint8_t> u8();
  Result<std::uint16_t> u16();
  Result<std::uint32_t> u32();
  Result<std::uint64_t> u64();

  // Exactly n bytes, as a view into the input (valid while the input lives).
  Result<ByteView> bytes(std::size_t n);
  // The rest of the input.
  ByteView rest();

  template <std::size_t N>
  Result<ByteArray<N>> array() {
    ZM_TRY(ByteView raw, bytes(N));
    ByteArray<N> out{};
    for (std::size_t i = 0; i < N; ++i) out[i] = raw[i];
    return out;
  }

  // Length-prefixed (u8 / u16 / u32) byte strings, refused when longer than max_bytes.
  Result<ByteView> bytes_u8(std::size_t max_bytes = 0xff);
  Result<ByteView> bytes_u16(std::size_t max_bytes = 0xffff);
  Result<ByteView> bytes_u32(std::size_t max_bytes);
  Result<std::string> string_u8(std::size_t max_bytes = 0xff);
  Result<std::string> string_u16(std::size_t max_bytes = 0xffff);

  // Errc::malformed unless every byte was consumed: trailing junk is an error, not ignored.
  Status expect_end(const char* what) const;

 private:
  Result<std::uint64_t> big_endian(std::size_t width);
  Result<ByteView> checked_length(std::uint64_t length, std::size_t max_bytes);

  ByteView input_;
  std::size_t offset_ = 0;
};

}  // namespace zmesh::wire
