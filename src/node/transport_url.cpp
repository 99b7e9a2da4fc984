#include "node/transport_url.hpp"

#include <array>
#include <utility>

#include "util/net_address.hpp"

namespace zmesh::node {
namespace {

constexpr std::array<std::pair<std::string_view, TransportKind>, 6> kSchemes{{
    {"tcp", TransportKind::tcp},
    {"ws", TransportKind::ws},
    {"wss", TransportKind::wss},
    {"webrtc", TransportKind::webrtc},
    {"quic", TransportKind::quic},
    {"mem", kTransportMem},
}};

}  // namespace

Result<TransportAddress> transport_address_from_url(std::string_view url) {
  const auto separator = url.find("://");
  if (separator == std::string_view::npos || separator + 3 == url.size())
    return make_error(Errc::invalid_argument, "not a transport URL: " + std::string(url.substr(0, 64)));
  const std::string_view scheme = url.substr(0, separator);
  for (const auto& [name, kind] : kSchemes) {
    if (name != scheme) continue;
    TransportAddress address{kind, std::string(url)};
    ZM_CHECK(address.check());
    return address;
  }
  return make_error(Errc::invalid_argument, "unknown transport scheme: " + std::string(scheme.substr(0, 16)));
}

bool is_advertisable_url(std::string_view url) {
  if (!transport_address_from_url(url).ok()) return false;
  std::string_view authority = url.substr(url.find("://") + 3);
  authority = authority.substr(0, authority.find('/'));
  const auto parsed = parse_host_port(authority, PortRule::optional);  // "mem://NAME" and the like pass
  return !parsed.ok() || !parsed->ip || !parsed->ip->is_unspecified();
}

std::string dial_url(const TransportAddress& address) {
  for (const auto& [name, kind] : kSchemes) {
    if (kind != address.kind) continue;
    if (address.address.find("://") != std::string::npos) {
      // Only a URL of the kind it claims: a tcp address must not smuggle in another scheme.
      return address.address.rfind(std::string(name) + "://", 0) == 0 ? address.address : std::string();
    }
    return std::string(name) + "://" + address.address;
  }
  return {};
}

}  // namespace zmesh::node
