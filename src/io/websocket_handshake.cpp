#include "io/websocket_handshake.hpp"

#include <openssl/evp.h>

namespace zmesh::io::ws {

namespace {
constexpr std::string_view kHandshakeGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";  // RFC 6455 §1.3

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

UpgradeDecision refuse(int status, std::string why) {
  UpgradeDecision d;
  d.response = HttpResponse::text(status, why + "\n");
  d.error = std::move(why);
  return d;
}
}  // namespace

std::string base64_encode(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<Bytes> base64_decode(std::string_view text) {
  // EVP_DecodeBlock is lenient about whitespace and counts padding as zero bytes; check strictly first.
  if (text.size() % 4 != 0 || text.size() > 4096) return make_error(Errc::malformed, "invalid base64 length");
  std::size_t padding = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) return make_error(Errc::malformed, "misplaced base64 padding");
      ++padding;
    } else if (!is_base64_char(c) || padding > 0) {
      return make_error(Errc::malformed, "invalid base64 character");
    }
  }
  Bytes out(text.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return make_error(Errc::malformed, "invalid base64");
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::string make_client_key(RandomSource& random) { return base64_encode(random.array<16>()); }

std::string accept_key(std::string_view client_key) {
  std::string input = std::string(client_key) + std::string(kHandshakeGuid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // SHA-1 is what §4.2.2 specifies; it is a fingerprint here, not a security primitive.
  EVP_Digest(input.data(), input.size(), digest, &length, EVP_sha1(), nullptr);
  return base64_encode(ByteView(digest, length));
}

std::string build_client_request(std::string_view authority, std::string_view path, std::string_view key,
                                 std::string_view subprotocol) {
  std::string out = "GET " + std::string(path) + " HTTP/1.1\r\n";
  out += "Host: " + std::string(authority) + "\r\n";
  out += "Upgrade: websocket\r\nConnection: Upgrade\r\n";
  out += "Sec-WebSocket-Key: " + std::string(key) + "\r\n";
  out += "Sec-WebSocket-Version: 13\r\n";
  if (!subprotocol.empty()) out += "Sec-WebSocket-Protocol: " + std::string(subprotocol) + "\r\n";
  out += "\r\n";
  return out;
}

UpgradeDecision evaluate_upgrade(const HttpRequest& request, std::string_view subprotocol) {
  // §4.2.1 items 1-6, in order.
  if (request.method != "GET" || request.version_minor != 1) return refuse(400, "WebSocket upgrade needs GET over HTTP/1.1");
  if (!request.headers.get("host")) return refuse(400, "missing Host");
  if (!request.headers.has_token("upgrade", "websocket")) return refuse(400, "Upgrade is not websocket");
  if (!request.headers.has_token("connection", "upgrade")) return refuse(400, "Connection does not include Upgrade");
  auto version = request.headers.get("sec-websocket-version");
  if (!version || *version != "13") {
    auto d = refuse(426, "unsupported Sec-WebSocket-Version");
    d.response.headers.set("Sec-WebSocket-Version", "13");
    return d;
  }
  auto key = request.headers.get("sec-websocket-key");
  if (!key) return refuse(400, "missing Sec-WebSocket-Key");
  auto nonce = base64_decode(*key);
  if (!nonce.ok() || nonce.value().size() != 16) return refuse(400, "Sec-WebSocket-Key is not 16 base64-encoded bytes");
  if (!subprotocol.empty() && !request.headers.has_token("sec-websocket-protocol", subprotocol)) {
    return refuse(400, "subprotocol " + std::string(subprotocol) + " not offered");
  }
  UpgradeDecision d;
  d.accepted = true;
  d.response.status = 101;
  d.response.headers.set("Upgrade", "websocket");
  d.response.headers.set("Connection", "Upgrade");
  d.response.headers.set("Sec-WebSocket-Accept", accept_key(*key));
  if (!subprotocol.empty()) d.response.headers.set("Sec-WebSocket-Protocol", std::string(subprotocol));
  return d;
}

Status check_upgrade_response(const HttpResponse& response, std::string_view key, std::string_view subprotocol) {
  auto fail = [](const std::string& why) { return make_error(Errc::protocol_violation, "WebSocket handshake: " + why); };
  if (response.status != 101) return fail("server answered " + std::to_string(response.status) + " " + response.reason);
  if (!response.headers.has_token("upgrade", "websocket")) return fail("Upgrade is not websocket");
  if (!response.headers.has_token("connection", "upgrade")) return fail("Connection does not include Upgrade");
  auto accept = response.headers.get("sec-websocket-accept");
  if (!accept || *accept != accept_key(key)) return fail("wrong Sec-WebSocket-Accept");
  if (response.headers.get("sec-websocket-extensions")) return fail("server chose an extension we did not offer");
  auto protocol = response.headers.get("sec-websocket-protocol");
  if (subprotocol.empty() ? protocol.has_value() : (!protocol || *protocol != subprotocol)) {
    return fail("server did not select subprotocol " + std::string(subprotocol));
  }
  return {};
}

}  // namespace zmesh::io::ws
