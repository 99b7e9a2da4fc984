#include "io/http.hpp"

#include <algorithm>
#include <charconv>

namespace zmesh::io {

namespace {

Error bad(const std::string& why) { return make_error(Errc::malformed, "HTTP: " + why); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}
bool is_token(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_tchar); }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Splits the head into lines (CRLF only) and parses lines[1..] as header fields.
Result<std::vector<std::string_view>> split_lines(std::string_view head) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < head.size()) {
    std::size_t end = head.find("\r\n", pos);
    if (end == std::string_view::npos) return bad("line without CRLF");
    lines.push_back(head.substr(pos, end - pos));
    pos = end + 2;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();  // the terminating blank line
  if (lines.empty()) return bad("empty message");
  if (lines.size() > kMaxHttpHeaders + 1) return make_error(Errc::too_large, "HTTP: too many header fields");
  return lines;
}

Status parse_fields(const std::vector<std::string_view>& lines, HttpHeaders& out) {
  for (std::size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    // RFC 9112 §5.2: obs-fold must be rejected (or replaced); we reject.
    if (line.empty() || line.front() == ' ' || line.front() == '\t') return bad("folded or empty header line");
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad("header line without ':'");
    std::string_view name = line.substr(0, colon);
    // RFC 9112 §5.1: no whitespace between field name and colon.
    if (!is_token(name)) return bad("invalid header name");
    std::string_view value = trim(line.substr(colon + 1));
    for (char c : value) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return bad("control character in header value");
    }
    std::string lname(name);
    std::transform(lname.begin(), lname.end(), lname.begin(), lower);
    out.add(std::move(lname), std::string(value));
  }
  return {};
}

Status parse_version(std::string_view text, int& minor) {
  if (text == "HTTP/1.1") {
    minor = 1;
  } else if (text == "HTTP/1.0") {
    minor = 0;
  } else {
    return bad("unsupported version");
  }
  return {};
}

// RFC 9112 §6.3: Transfer-Encoding is not supported; Content-Length must be a single number.
Result<std::size_t> body_length(const HttpHeaders& headers, std::size_t max_body_bytes) {
  if (headers.get("transfer-encoding")) return make_error(Errc::malformed, "HTTP: Transfer-Encoding not supported");
  std::optional<std::size_t> length;
  for (const auto& h : headers.all()) {
    if (h.name != "content-length") continue;
    std::size_t v = 0;
    auto [end, ec] = std::from_chars(h.value.data(), h.value.data() + h.value.size(), v);
    if (h.value.empty() || ec != std::errc() || end != h.value.data() + h.value.size()) {
      return bad("invalid Content-Length");
    }
    if (length && *length != v) return bad("conflicting Content-Length");
    length = v;
  }
  if (length.value_or(0) > max_body_bytes) return make_error(Errc::too_large, "HTTP: body too large");
  return length.value_or(0);
}

}  // namespace

std::optional<std::string_view> HttpHeaders::get(std::string_view name) const {
  for (const auto& h : headers_) {
    if (iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

bool HttpHeaders::has_token(std::string_view name, std::string_view token) const {
  for (const auto& h : headers_) {
    if (!iequals(h.name, name)) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      std::size_t comma = rest.find(',');
      if (iequals(trim(rest.substr(0, comma)), token)) return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

void HttpHeaders::add(std::string name, std::string value) { headers_.push_back({std::move(name), std::move(value)}); }

void HttpHeaders::set(std::string name, std::string value) {
  std::erase_if(headers_, [&](const HttpHeader& h) { return iequals(h.name, name); });
  add(std::move(name), std::move(value));
}

const char* default_reason_phrase(int status) {
  switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 426: return "Upgrade Required";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

HttpResponse HttpResponse::text(int status, std::string body, std::string content_type) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.headers.set("Content-Type", std::move(content_type));
  return r;
}

std::string HttpResponse::serialize() const {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + (reason.empty() ? default_reason_phrase(status) : reason) + "\r\n";
  for (const auto& h : headers.all()) out += h.name + ": " + h.value + "\r\n";
  bool bodiless = status < 200 || status == 204 || status == 304;
  if (!bodiless && !headers.get("content-length")) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  if (!bodiless) out += body;
  return out;
}

Result<std::size_t> find_head_end(ByteView buffer, std::size_t max_head_bytes) {
  std::string_view text(reinterpret_cast<const char*>(buffer.data()), std::min(buffer.size(), max_head_bytes));
  std::size_t end = text.find("\r\n\r\n");
  if (end != std::string_view::npos) return end + 4;
  if (buffer.size() >= max_head_bytes) return make_error(Errc::too_large, "HTTP: head larger than limit");
  return std::size_t{0};
}

Result<HttpRequest> parse_request_head(std::string_view head) {
  ZM_TRY(auto lines, split_lines(head));
  // RFC 9112 §3: request-line = method SP request-target SP HTTP-version
  std::string_view line = lines[0];
  std::size_t sp1 = line.find(' ');
  std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) return bad("malformed request line");
  HttpRequest req;
  req.method = std::string(line.substr(0, sp1));
  req.target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
  if (!is_token(req.method)) return bad("invalid method");
  if (req.target.empty() || req.target.front() != '/') return bad("only origin-form targets are served");
  for (char c : req.target) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return bad("invalid character in target");
  }
  ZM_CHECK(parse_version(line.substr(sp2 + 1), req.version_minor));
  std::size_t q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  ZM_CHECK(parse_fields(lines, req.headers));
  return req;
}

Result<HttpResponse> parse_response_head(std::string_view head) {
  ZM_TRY(auto lines, split_lines(head));
  // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]
  std::string_view line = lines[0];
  if (line.size() < 12 || line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) return bad("malformed status line");
  int minor = 1;
  ZM_CHECK(parse_version(line.substr(0, 8), minor));
  int status = 0;
  auto code = line.substr(9, 3);
  auto [end, ec] = std::from_chars(code.data(), code.data() + 3, status);
  if (ec != std::errc() || end != code.data() + 3 || status < 100) return bad("invalid status code");
  HttpResponse resp;
  resp.status = status;
  if (line.size() > 13) resp.reason = std::string(line.substr(13));
  ZM_CHECK(parse_fields(lines, resp.headers));
  return resp;
}

Result<bool> HttpRequestReader::feed(ByteView chunk) {
  if (complete_) {
    append(buffer_, chunk);  // leftover grows only as far as the owner lets it
    return true;
  }
  append(buffer_, chunk);
  if (!head_done_) {
    ZM_TRY(std::size_t end, find_head_end(buffer_));
    if (end == 0) return false;
    std::string_view head(reinterpret_cast<const char*>(buffer_.data()), end);
    ZM_TRY(request_, parse_request_head(head));
    ZM_TRY(body_bytes_, body_length(request_.headers, max_body_bytes_));
    head_bytes_ = end;
    head_done_ = true;
  }
  if (buffer_.size() < head_bytes_ + body_bytes_) return false;
  request_.body.assign(reinterpret_cast<const char*>(buffer_.data()) + head_bytes_, body_bytes_);
  complete_ = true;
  return true;
}

ByteView HttpRequestReader::leftover() const {
  if (!complete_) return {};
  return ByteView(buffer_).subspan(head_bytes_ + body_bytes_);
}

Result<bool> HttpResponseReader::feed(ByteView chunk) {
  append(buffer_, chunk);
  if (complete_) return true;
  if (!head_done_) {
    ZM_TRY(std::size_t end, find_head_end(buffer_));
    if (end == 0) return false;
    std::string_view head(reinterpret_cast<const char*>(buffer_.data()), end);
    ZM_TRY(response_, parse_response_head(head));
    head_bytes_ = end;
    head_done_ = true;
    if (!head_only_) {
      ZM_TRY(body_bytes_, body_length(response_.headers, max_body_bytes_));
    }
  }
  if (buffer_.size() < head_bytes_ + body_bytes_) return false;
  response_.body.assign(reinterpret_cast<const char*>(buffer_.data()) + head_bytes_, body_bytes_);
  complete_ = true;
  return true;
}

ByteView HttpResponseReader::leftover() const {
  if (!complete_) return {};
  return ByteView(buffer_).subspan(head_bytes_ + body_bytes_);
}

}  // namespace zmesh::io
