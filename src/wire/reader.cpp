#include "wire/reader.hpp"

namespace zmesh::wire {

Result<std::uint64_t> Reader::big_endian(std::size_t width) {
  if (remaining() < width) return make_error(Errc::truncated, "need " + std::to_string(width) + " bytes, have " + std::to_string(remaining()));
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < width; ++i) value = value << 8 | input_[offset_ + i];
  offset_ += width;
  return value;
}

Result<std::uint8_t> Reader::u8() {
  ZM_TRY(auto v, big_endian(1));
  return static_cast<std::uint8_t>(v);
}
Result<std::uint16_t> Reader::u16() {
  ZM_TRY(auto v, big_endian(2));
  return static_cast<std::uint16_t>(v);
}
Result<std::uint32_t> Reader::u32() {
  ZM_TRY(auto v, big_endian(4));
  return static_cast<std::uint32_t>(v);
}
Result<std::uint64_t> Reader::u64() { return big_endian(8); }

Result<ByteView> Reader::bytes(std::size_t n) {
  if (remaining() < n) return make_error(Errc::truncated, "need " + std::to_string(n) + " bytes, have " + std::to_string(remaining()));
  ByteView out = input_.subspan(offset_, n);
  offset_ += n;
  return out;
}

ByteView Reader::rest() {
  ByteView out = input_.subspan(offset_);
  offset_ = input_.size();
  return out;
}

Result<ByteView> Reader::checked_length(std::uint64_t length, std::size_t max_bytes) {
  if (length > max_bytes) return make_error(Errc::too_large, "length " + std::to_string(length) + " above limit " + std::to_string(max_bytes));
  return bytes(static_cast<std::size_t>(length));
}

Result<ByteView> Reader::bytes_u8(std::size_t max_bytes) {
  std::size_t start = offset_;
  ZM_TRY(auto n, u8());
  auto out = checked_length(n, max_bytes);
  if (!out.ok()) offset_ = start;
  return out;
}
Result<ByteView> Reader::bytes_u16(std::size_t max_bytes) {
  std::size_t start = offset_;
  ZM_TRY(auto n, u16());
  auto out = checked_length(n, max_bytes);
  if (!out.ok()) offset_ = start;
  return out;
}
Result<ByteView> Reader::bytes_u32(std::size_t max_bytes) {
  std::size_t start = offset_;
  ZM_TRY(auto n, u32());
  auto out = checked_length(n, max_bytes);
  if (!out.ok()) offset_ = start;
  return out;
}

Result<std::string> Reader::string_u8(std::size_t max_bytes) {
  ZM_TRY(ByteView raw, bytes_u8(max_bytes));
  return std::string(raw.begin(), raw.end());
}
Result<std::string> Reader::string_u16(std::size_t max_bytes) {
  ZM_TRY(ByteView raw, bytes_u16(max_bytes));
  return std::string(raw.begin(), raw.end());
}

Status Reader::expect_end(const char* what) const {
  if (!at_end()) return make_error(Errc::malformed, std::string(what) + ": " + std::to_string(remaining()) + " trailing bytes");
  return {};
}

}  // namespace zmesh::wire
