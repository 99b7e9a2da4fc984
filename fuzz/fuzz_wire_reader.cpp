// Drives wire::Reader with a script of operations over arbitrary data and checks its contract
// (src/wire/reader.hpp): a read either succeeds, returns exactly the bytes at the old offset
// and advances by their size, or fails and leaves the offset where it was; length limits hold;
// and whatever was read re-encodes with wire::Writer to the same bytes.
//
// Input: script_length (u8) || script (script_length bytes) || data (the rest).
// Each script byte is an operation (byte % kOps); operations with a parameter take the next
// script byte (0 when the script has ended).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "fuzz_check.hpp"
#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace {

using zmesh::Bytes;
using zmesh::ByteView;
using zmesh::wire::Reader;
using zmesh::wire::Writer;

class Script {
 public:
  explicit Script(ByteView ops) : ops_(ops) {}
  bool done() const { return next_ >= ops_.size(); }
  std::uint8_t next() { return done() ? 0 : ops_[next_++]; }

 private:
  ByteView ops_;
  std::size_t next_ = 0;
};

// Checks one read: on success, `encoded` (the value written back with Writer) must equal the
// consumed input and the offset must have advanced by exactly that much.
void check_consumed(ByteView data, std::size_t before, const Reader& r, bool ok, const Bytes& encoded) {
  FUZZ_CHECK(r.offset() + r.remaining() == data.size());
  if (!ok) {
    FUZZ_CHECK(r.offset() == before);
    return;
  }
  FUZZ_CHECK(r.offset() == before + encoded.size());
  FUZZ_CHECK(encoded.size() == 0 || std::memcmp(encoded.data(), data.data() + before, encoded.size()) == 0);
}

template <class T, class Write>
void integer(ByteView data, Reader& r, zmesh::Result<T> value, std::size_t before, Write write) {
  Writer w;
  if (value.ok()) write(w, *value);
  check_consumed(data, before, r, value.ok(), w.view());
}

void view_read(ByteView data, Reader& r, const zmesh::Result<ByteView>& value, std::size_t before,
               std::size_t prefix_bytes, std::size_t max_bytes) {
  Writer w;
  if (value.ok()) {
    FUZZ_CHECK(value->size() <= max_bytes);
    // The view points into the input, right after the length prefix.
    FUZZ_CHECK(value->empty() || value->data() == data.data() + before + prefix_bytes);
    if (prefix_bytes == 1) w.bytes_u8(*value);
    if (prefix_bytes == 2) w.bytes_u16(*value);
    if (prefix_bytes == 4) w.bytes_u32(*value);
    if (prefix_bytes == 0) w.bytes(*value);
  }
  check_consumed(data, before, r, value.ok(), w.view());
}

void run_op(Script& script, ByteView data, Reader& r) {
  constexpr int kOps = 12;
  const std::size_t before = r.offset();
  switch (script.next() % kOps) {
    case 0: integer(data, r, r.u8(), before, [](Writer& w, std::uint8_t v) { w.u8(v); }); break;
    case 1: integer(data, r, r.u16(), before, [](Writer& w, std::uint16_t v) { w.u16(v); }); break;
    case 2: integer(data, r, r.u32(), before, [](Writer& w, std::uint32_t v) { w.u32(v); }); break;
    case 3: integer(data, r, r.u64(), before, [](Writer& w, std::uint64_t v) { w.u64(v); }); break;
    case 4: {
      const std::size_t n = script.next();
      auto v = r.bytes(n);
      if (v.ok()) FUZZ_CHECK(v->size() == n);
      view_read(data, r, v, before, 0, n);
      break;
    }
    case 5: {
      const std::size_t max = script.next();
      view_read(data, r, r.bytes_u8(max), before, 1, max);
      break;
    }
    case 6: {
      const std::size_t max = std::size_t{script.next()} << 4;
      view_read(data, r, r.bytes_u16(max), before, 2, max);
      break;
    }
    case 7: {
      const std::size_t max = std::size_t{script.next()} << 8;
      view_read(data, r, r.bytes_u32(max), before, 4, max);
      break;
    }
    case 8: {
      const std::size_t max = script.next();
      auto s = r.string_u8(max);
      Writer w;
      if (s.ok()) w.string_u8(*s);
      check_consumed(data, before, r, s.ok(), w.view());
      break;
    }
    case 9: {
      auto a = r.array<16>();
      Writer w;
      if (a.ok()) w.bytes(*a);
      check_consumed(data, before, r, a.ok(), w.view());
      break;
    }
    case 10: {
      const bool was_at_end = r.at_end();
      FUZZ_CHECK(r.expect_end("fuzz").ok() == was_at_end);
      FUZZ_CHECK(r.offset() == before);
      break;
    }
    case 11: {
      ByteView rest = r.rest();
      FUZZ_CHECK(rest.size() == data.size() - before);
      FUZZ_CHECK(r.at_end());
      break;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* input, std::size_t size) {
  if (size == 0) return 0;
  const ByteView all(input, size);
  const std::size_t script_bytes = std::min<std::size_t>(all[0], size - 1);
  Script script(all.subspan(1, script_bytes));
  const ByteView data = all.subspan(1 + script_bytes);
  Reader r(data);
  while (!script.done()) run_op(script, data, r);
  return 0;
}
