#include "onion/stream_target.hpp"

namespace zmesh::onion {

StreamTarget StreamTarget::to_ip(const IpAddress& address, std::uint16_t port) {
  StreamTarget out;
  out.kind = address.family == IpFamily::v4 ? TargetKind::ipv4 : TargetKind::ipv6;
  out.ip = address;
  out.port = port;
  return out;
}

StreamTarget StreamTarget::to_domain(std::string name, std::uint16_t port) {
  StreamTarget out;
  out.kind = TargetKind::domain;
  out.domain = std::move(name);
  out.port = port;
  return out;
}

Status StreamTarget::check() const {
  if (port == 0) return make_error(Errc::invalid_argument, "target port 0");
  switch (kind) {
    case TargetKind::ipv4:
      if (ip.family != IpFamily::v4) return make_error(Errc::invalid_argument, "IPv4 target with an IPv6 address");
      return {};
    case TargetKind::ipv6:
      if (ip.family != IpFamily::v6) return make_error(Errc::invalid_argument, "IPv6 target with an IPv4 address");
      return {};
    case TargetKind::domain:
      if (!is_valid_domain(domain)) return make_error(Errc::invalid_argument, "invalid domain name");
      return {};
  }
  return make_error(Errc::invalid_argument, "unknown target kind");
}

std::string StreamTarget::host() const { return kind == TargetKind::domain ? domain : ip.to_string(); }

std::string StreamTarget::describe() const {
  const std::string name = host();
  return (kind == TargetKind::ipv6 ? "[" + name + "]" : name) + ":" + std::to_string(port);
}

bool is_valid_domain(std::string_view name) {
  if (name.empty() || name.size() > kMaxDomainBytes) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

Result<StreamTarget> parse_stream_target(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return make_error(Errc::invalid_argument, "expected HOST:PORT, got \"" + std::string(text.substr(0, 80)) + "\"");
  const std::string_view port_text = text.substr(colon + 1);
  std::uint32_t port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9' || port > 65535) return make_error(Errc::invalid_argument, "bad port \"" + std::string(port_text.substr(0, 16)) + "\"");
    port = port * 10 + static_cast<std::uint32_t>(c - '0');
  }
  if (port_text.empty() || port == 0 || port > 65535) return make_error(Errc::invalid_argument, "port must be 1..65535");
  std::string_view host = text.substr(0, colon);
  StreamTarget target;
  if (!host.empty() && host.front() == '[') {
    if (host.size() < 2 || host.back() != ']') return make_error(Errc::invalid_argument, "unclosed '[' in \"" + std::string(text.substr(0, 80)) + "\"");
    ZM_TRY(IpAddress v6, parse_ipv6(host.substr(1, host.size() - 2)));
    target = StreamTarget::to_ip(v6, static_cast<std::uint16_t>(port));
  } else if (auto v4 = parse_ipv4(host); v4.ok()) {
    target = StreamTarget::to_ip(*v4, static_cast<std::uint16_t>(port));
  } else {
    target = StreamTarget::to_domain(std::string(host), static_cast<std::uint16_t>(port));
  }
  ZM_CHECK(target.check());
  return target;
}

void encode_target(wire::Writer& out, const StreamTarget& target) {
  out.u8(static_cast<std::uint8_t>(target.kind));
  if (target.kind == TargetKind::domain) out.string_u8(target.domain);
  else out.bytes(target.ip.view());
  out.u16(target.port);
}

Result<StreamTarget> decode_target(wire::Reader& in) {
  ZM_TRY(std::uint8_t kind, in.u8());
  StreamTarget target;
  switch (static_cast<TargetKind>(kind)) {
    case TargetKind::ipv4: {
      ZM_TRY(ByteView raw, in.bytes(4));
      target.ip = IpAddress::from_bytes(raw);
      break;
    }
    case TargetKind::ipv6: {
      ZM_TRY(ByteView raw, in.bytes(16));
      target.ip = IpAddress::from_bytes(raw);
      break;
    }
    case TargetKind::domain: {
      ZM_TRY(target.domain, in.string_u8());
      break;
    }
    default:
      return make_error(Errc::malformed, "unknown address type " + std::to_string(kind));
  }
  target.kind = static_cast<TargetKind>(kind);
  ZM_TRY(target.port, in.u16());
  ZM_CHECK(target.check());
  return target;
}

}  // namespace zmesh::onion
