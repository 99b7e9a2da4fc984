// Byte containers and views used everywhere: parse from ByteView, build into Bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace zmesh {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;
template <std::size_t N>
using ByteArray = std::array<std::uint8_t, N>;

std::string to_hex(ByteView bytes);
Result<Bytes> from_hex(std::string_view hex);

// Parses exactly N bytes of hex (2N characters).
template <std::size_t N>
Result<ByteArray<N>> array_from_hex(std::string_view hex) {
  if (hex.size() != 2 * N) return make_error(Errc::invalid_argument, "expected " + std::to_string(2 * N) + " hex characters");
  ZM_TRY(Bytes raw, from_hex(hex));
  ByteArray<N> out{};
  for (std::size_t i = 0; i < N; ++i) out[i] = raw[i];
  return out;
}

inline ByteView as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

inline void append(Bytes& out, ByteView more) { out.insert(out.end(), more.begin(), more.end()); }

}  // namespace zmesh
