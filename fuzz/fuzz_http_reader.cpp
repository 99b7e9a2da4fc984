// io::HttpRequestReader and io::HttpResponseReader (src/io/http.hpp): the first bytes any
// WebSocket or control-API peer sends us, and the upgrade answer a server sends our dialer.
// Input: mode u8 || chunk seed u8 || bytes. Mode bit 0: request (1) or response (0) reader;
// bit 1: response head only (as after a 101 upgrade).
//   - fed whole and fed in pieces (fuzz/chunking.hpp) the reader reaches the same verdict:
//     the same error, or the same parsed message and leftover bytes, or still incomplete;
//   - a parsed message respects the limits: head within 8 KiB, at most 64 header fields with
//     lower-case token names and no control characters in values, a body of exactly
//     Content-Length bytes within max_body_bytes, a request target in origin form;
//   - head + body + leftover is exactly the input.
// Seeds (ZMESH_FUZZ_WRITE_SEEDS=DIR): a WebSocket upgrade request with an eager frame, a
// control-API POST with a body, a 101 response and a 200 response.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chunking.hpp"
#include "fuzz_check.hpp"
#include "io/http.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::io;

constexpr std::size_t kMaxBodyBytes = 4096;

// Everything a reader produced, flattened for comparison.
struct Outcome {
  std::optional<Errc> error;
  bool complete = false;
  std::string first_line;  // method/target/path/query/version or status/reason
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  Bytes leftover;
  bool operator==(const Outcome&) const = default;
};

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void check_headers(const HttpHeaders& headers, Outcome& out) {
  FUZZ_CHECK(headers.size() <= kMaxHttpHeaders);
  for (const HttpHeader& h : headers.all()) {
    FUZZ_CHECK(!h.name.empty());
    for (char c : h.name) FUZZ_CHECK(is_token_char(c));  // lower-cased tokens only
    for (char c : h.value) {
      const auto u = static_cast<unsigned char>(c);
      FUZZ_CHECK((u >= 0x20 || c == '\t') && u != 0x7f);
    }
    FUZZ_CHECK(h.value.empty() || (h.value.front() != ' ' && h.value.back() != ' '));
    out.headers.emplace_back(h.name, h.value);
  }
}

template <class Reader>
Outcome feed_all(Reader& reader, const std::vector<ByteView>& chunks) {
  Outcome out;
  for (ByteView chunk : chunks) {
    auto done = reader.feed(chunk);
    if (!done) {
      out.error = done.error().code;
      return out;
    }
    out.complete = *done;
  }
  if (out.complete) {
    const ByteView leftover = reader.leftover();
    out.leftover.assign(leftover.begin(), leftover.end());
  }
  return out;
}

Outcome read_request(const std::vector<ByteView>& chunks) {
  HttpRequestReader reader(kMaxBodyBytes);
  Outcome out = feed_all(reader, chunks);
  if (!out.complete) return out;
  const HttpRequest& r = reader.request();
  FUZZ_CHECK(!r.method.empty() && !r.target.empty() && r.target.front() == '/');
  FUZZ_CHECK(r.path == r.target.substr(0, r.target.find('?')));
  FUZZ_CHECK(r.version_minor == 0 || r.version_minor == 1);
  FUZZ_CHECK(r.body.size() <= kMaxBodyBytes);
  out.first_line = r.method + " " + r.target + " " + r.path + " " + r.query + " " + std::to_string(r.version_minor);
  check_headers(r.headers, out);
  out.body = r.body;
  return out;
}

Outcome read_response(const std::vector<ByteView>& chunks, bool head_only) {
  HttpResponseReader reader(kMaxBodyBytes);
  if (head_only) reader.head_only();
  Outcome out = feed_all(reader, chunks);
  if (!out.complete) return out;
  const HttpResponse& r = reader.response();
  FUZZ_CHECK(r.status >= 100 && r.status <= 999);
  FUZZ_CHECK(r.body.size() <= kMaxBodyBytes);
  if (head_only) FUZZ_CHECK(r.body.empty());
  out.first_line = std::to_string(r.status) + " " + r.reason;
  check_headers(r.headers, out);
  out.body = r.body;
  return out;
}

void write_seeds(const char* dir) {
  auto seed = [&](const char* name, std::uint8_t mode, std::uint8_t chunk_seed, std::string_view text) {
    Bytes bytes = {mode, chunk_seed};
    append(bytes, as_bytes(text));
    fuzz::write_seed(dir, name, bytes);
  };
  seed("ws_upgrade", 1, 7,
       "GET /zmesh?x=1 HTTP/1.1\r\nHost: 127.0.0.1:4433\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: zmesh.v1\r\n\r\n"
       "\x82\x85\x01\x02\x03\x04hello");
  seed("control_post", 1, 0,
       "POST /api/peers HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n"
       "{\"peer\":\"tcp:x\"}");
  seed("switching_protocols", 2, 3,
       "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x82\x02hi");
  seed("ok_with_body", 0, 11, "HTTP/1.0 200 OK\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhello");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const ByteView input(data + 2, size - 2);
  const bool request = data[0] & 1;
  const bool head_only = data[0] & 2;
  auto read = [&](const std::vector<ByteView>& chunks) {
    return request ? read_request(chunks) : read_response(chunks, head_only);
  };
  const Outcome whole = read({input});
  const Outcome pieces = read(fuzz::split_chunks(input, data[1]));
  FUZZ_CHECK(whole == pieces);
  if (whole.complete) {
    // The head ends at the first blank line, within the limit; the body follows; the rest is left over.
    const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
    const std::size_t head_end = text.find("\r\n\r\n");
    FUZZ_CHECK(head_end != std::string_view::npos && head_end + 4 <= kMaxHttpHeadBytes);
    FUZZ_CHECK(head_end + 4 + whole.body.size() + whole.leftover.size() == input.size());
    FUZZ_CHECK(text.substr(head_end + 4, whole.body.size()) == whole.body);
  }
  return 0;
}
