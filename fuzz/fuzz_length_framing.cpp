// io::LengthFrameDecoder (src/io/length_framing.hpp), the framing of every TCP link, on
// arbitrary bytes. Input: limit selector u8 || chunk seed u8 || stream.
//   - fed whole and fed in pieces (fuzz/chunking.hpp) it yields the same messages and the
//     same failure;
//   - no message exceeds the limit, a length above it fails the decoder, a failed decoder
//     stays failed, and the decoder never buffers more than one header + one largest message;
//   - without a failure, every input byte is accounted for: 4 + size per message, plus what
//     is buffered;
//   - the messages re-encoded with encode_frame_header reproduce the consumed input.
// Seeds (ZMESH_FUZZ_WRITE_SEEDS=DIR): a few framed streams.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "chunking.hpp"
#include "fuzz_check.hpp"
#include "io/length_framing.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;

constexpr std::size_t kLimits[] = {0, 1, 16, 1004, 16384, io::kDefaultMaxMessageBytes};

struct Outcome {
  std::vector<Bytes> messages;
  std::optional<Errc> error;
  std::size_t buffered = 0;
};

Outcome decode(std::size_t limit, const std::vector<ByteView>& chunks) {
  io::LengthFrameDecoder decoder(limit);
  Outcome out;
  for (ByteView chunk : chunks) {
    const bool was_failed = decoder.failed();
    const Status status = decoder.feed(chunk, [&](ByteView message) {
      FUZZ_CHECK(message.size() <= limit);
      out.messages.emplace_back(message.begin(), message.end());
      return true;
    });
    FUZZ_CHECK(decoder.buffered_bytes() <= io::kFrameHeaderBytes + limit);
    if (was_failed) FUZZ_CHECK(!status.ok());
    FUZZ_CHECK(status.ok() == !decoder.failed());
    if (!status.ok()) {
      out.error = status.error().code;
      break;
    }
  }
  out.buffered = decoder.buffered_bytes();
  return out;
}

Bytes frame(ByteView message) {
  Bytes out;
  append(out, io::encode_frame_header(static_cast<std::uint32_t>(message.size())));
  append(out, message);
  return out;
}

void write_seeds(const char* dir) {
  Bytes stream = {5, 7};  // 64 KiB limit, varied chunks
  append(stream, frame(Bytes(2000, 0x33)));
  append(stream, frame(Bytes{}));
  append(stream, frame(as_bytes("hello")));
  fuzz::write_seed(dir, "three_messages", stream);
  Bytes too_large = {2, 0};  // 16-byte limit, byte-by-byte
  append(too_large, frame(Bytes(17, 1)));
  fuzz::write_seed(dir, "too_large", too_large);
  Bytes partial = {3, 9};
  append(partial, frame(Bytes(1004, 2)));
  partial.resize(partial.size() - 100);
  fuzz::write_seed(dir, "partial", partial);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t limit = kLimits[data[0] % std::size(kLimits)];
  const ByteView stream(data + 2, size - 2);

  const Outcome whole = decode(limit, {stream});
  const Outcome pieces = decode(limit, fuzz::split_chunks(stream, data[1]));
  FUZZ_CHECK(whole.messages == pieces.messages);
  FUZZ_CHECK(whole.error == pieces.error);
  FUZZ_CHECK(!whole.error || *whole.error == Errc::too_large);
  if (whole.error) return 0;

  FUZZ_CHECK(whole.buffered == pieces.buffered);
  Bytes reencoded;
  for (const Bytes& message : whole.messages) append(reencoded, frame(message));
  FUZZ_CHECK(reencoded.size() + whole.buffered == stream.size());
  FUZZ_CHECK(reencoded.empty() || std::memcmp(reencoded.data(), stream.data(), reencoded.size()) == 0);
  return 0;
}
