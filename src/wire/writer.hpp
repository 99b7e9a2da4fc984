// Encoding counterpart of Reader: big-endian integers and length-prefixed strings.
// Length prefixes that would overflow their width are a programming error (abort), since
// encoders only ever see values built by this node.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/bytes.hpp"

namespace zmesh::wire {

class Writer {
 public:
  Writer() = default;
  explicit Writer(std::size_t reserve_bytes) { out_.reserve(reserve_bytes); }

  Writer& u8(std::uint8_t v);
  Writer& u16(std::uint16_t v);
  Writer& u32(std::uint32_t v);
  Writer& u64(std::uint64_t v);
  Writer& bytes(ByteView raw);
  Writer& bytes_u8(ByteView raw);
  Writer& bytes_u16(ByteView raw);
  Writer& bytes_u32(ByteView raw);
  Writer& string_u8(std::string_view text) { return bytes_u8(as_bytes(text)); }
  Writer& string_u16(std::string_view text) { return bytes_u16(as_bytes(text)); }
  Writer& zeros(std::size_t n);

  std::size_t size() const { return out_.size(); }
  const Bytes& view() const { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  void big_endian(std::uint64_t v, std::size_t width);
  Bytes out_;
};

}  // namespace zmesh::wire
