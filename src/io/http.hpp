// A bounded HTTP/1.1 message parser and serializer (RFC 9112), sans-IO. Shared by the
// WebSocket upgrade (both sides), the control server, and later WebRTC signaling and the status
// page on the same listener. Deliberately small: origin-form targets only, Content-Length bodies
// only (Transfer-Encoding is refused), no obs-fold, CRLF line endings, heads ≤ 8 KiB.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::io {

inline constexpr std::size_t kMaxHttpHeadBytes = 8 * 1024;
inline constexpr std::size_t kMaxHttpHeaders = 64;

struct HttpHeader {
  std::string name;  // lower-case
  std::string value;
};

class HttpHeaders {
 public:
  // First value of a header (name compared case-insensitively).
  std::optional<std::string_view> get(std::string_view name) const;
  // True when a comma-separated header contains `token` (case-insensitive), e.g. Connection: keep-alive, Upgrade.
  bool has_token(std::string_view name, std::string_view token) const;
  void add(std::string name, std::string value);
  void set(std::string name, std::string value);
  const std::vector<HttpHeader>& all() const { return headers_; }
  std::size_t size() const { return headers_.size(); }

 private:
  std::vector<HttpHeader> headers_;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ... (case-sensitive, RFC 9110 §9.1)
  std::string target;  // as sent: "/path?query"
  std::string path;    // target up to '?'
  std::string query;   // after '?', without it
  int version_minor = 1;
  HttpHeaders headers;
  std::string body;
  std::string remote;  // filled in by servers: the peer's address
};

struct HttpResponse {
  int status = 200;
  std::string reason;  // default phrase for status when empty
  HttpHeaders headers;
  std::string body;

  static HttpResponse text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  // Head + body; adds Content-Length except for 1xx/204/304.
  std::string serialize() const;
};

const char* default_reason_phrase(int status);

// Length of the head including its terminating blank line once complete; 0 while incomplete;
// Errc::too_large once max_head_bytes passed without one.
Result<std::size_t> find_head_end(ByteView buffer, std::size_t max_head_bytes = kMaxHttpHeadBytes);
Result<HttpRequest> parse_request_head(std::string_view head);
Result<HttpResponse> parse_response_head(std::string_view head);

// Accumulates one request (head, then a Content-Length body of at most max_body_bytes).
// Bytes after the request (e.g. WebSocket frames sent eagerly after an upgrade) are kept.
class HttpRequestReader {
 public:
  explicit HttpRequestReader(std::size_t max_body_bytes) : max_body_bytes_(max_body_bytes) {}
  // true once the whole request is in; then request() and leftover() are valid.
  Result<bool> feed(ByteView chunk);
  HttpRequest& request() { return request_; }
  ByteView leftover() const;

 private:
  std::size_t max_body_bytes_;
  Bytes buffer_;
  std::size_t head_bytes_ = 0;
  std::size_t body_bytes_ = 0;
  bool head_done_ = false;
  bool complete_ = false;
  HttpRequest request_;
};

// The client-side counterpart: a response head, then a Content-Length body.
class HttpResponseReader {
 public:
  explicit HttpResponseReader(std::size_t max_body_bytes) : max_body_bytes_(max_body_bytes) {}
  Result<bool> feed(ByteView chunk);
  // Stop after the head (a 101 Switching Protocols has no body).
  void head_only() { head_only_ = true; }
  HttpResponse& response() { return response_; }
  ByteView leftover() const;

 private:
  std::size_t max_body_bytes_;
  Bytes buffer_;
  std::size_t head_bytes_ = 0;
  std::size_t body_bytes_ = 0;
  bool head_done_ = false;
  bool head_only_ = false;
  bool complete_ = false;
  HttpResponse response_;
};

}  // namespace zmesh::io
