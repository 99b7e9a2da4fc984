#include "wire/writer.hpp"

#include <cstdlib>

namespace zmesh::wire {

void Writer::big_endian(std::uint64_t v, std::size_t width) {
  for (std::size_t i = width; i-- > 0;) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

Writer& Writer::u8(std::uint8_t v) { big_endian(v, 1); return *this; }
Writer& Writer::u16(std::uint16_t v) { big_endian(v, 2); return *this; }
Writer& Writer::u32(std::uint32_t v) { big_endian(v, 4); return *this; }
Writer& Writer::u64(std::uint64_t v) { big_endian(v, 8); return *this; }

Writer& Writer::bytes(ByteView raw) {
  append(out_, raw);
  return *this;
}

Writer& Writer::bytes_u8(ByteView raw) {
  if (raw.size() > 0xff) std::abort();
  return u8(static_cast<std::uint8_t>(raw.size())).bytes(raw);
}
Writer& Writer::bytes_u16(ByteView raw) {
  if (raw.size() > 0xffff) std::abort();
  return u16(static_cast<std::uint16_t>(raw.size())).bytes(raw);
}
Writer& Writer::bytes_u32(ByteView raw) {
  if (raw.size() > 0xffffffffu) std::abort();
  return u32(static_cast<std::uint32_t>(raw.size())).bytes(raw);
}

Writer& Writer::zeros(std::size_t n) {
  out_.insert(out_.end(), n, 0);
  return *this;
}

}  // namespace zmesh::wire
