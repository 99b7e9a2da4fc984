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
  return format_host_port(host(), port);
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
  ZM_TRY(HostPort parsed, parse_host_port(text));
  if (*parsed.port == 0) return make_error(Errc::invalid_argument, "port must be 1..65535");
  StreamTarget target = parsed.ip ? StreamTarget::to_ip(*parsed.ip, *parsed.port)
                                  : StreamTarget::to_domain(std::move(parsed.host), *parsed.port);
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
