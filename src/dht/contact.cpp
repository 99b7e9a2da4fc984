#include "dht/contact.hpp"

#include <cctype>

namespace zmesh::dht {
namespace {

bool is_ipv4(std::string_view host) {
  int dots = 0;
  for (char c : host) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 3;
}

// Strips a scheme ("tcp://", "wss://") and a path.
std::string_view strip_scheme(std::string_view address) {
  const auto scheme = address.find("://");
  if (scheme != std::string_view::npos) address.remove_prefix(scheme + 3);
  const auto slash = address.find('/');
  if (slash != std::string_view::npos) address = address.substr(0, slash);
  return address;
}

}  // namespace

std::string address_prefix(std::string_view address) {
  address = strip_scheme(address);
  if (!address.empty() && address.front() == '[') {
    const auto close = address.find(']');
    std::string_view host = address.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
    std::size_t groups = 0, end = 0;
    while (end < host.size() && groups < 3) {
      const auto colon = host.find(':', end);
      if (colon == std::string_view::npos) { end = host.size(); break; }
      end = colon + 1;
      ++groups;
    }
    return "v6:" + std::string(host.substr(0, end));
  }
  // A trailing ":digits" is a port; anything else after a colon is part of the name.
  std::string_view host = address;
  const auto colon = address.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < address.size()) {
    bool port = true;
    for (char c : address.substr(colon + 1)) port = port && std::isdigit(static_cast<unsigned char>(c));
    if (port) host = address.substr(0, colon);
  }
  if (is_ipv4(host)) return "v4:" + std::string(host.substr(0, host.rfind('.')));
  return "host:" + std::string(host);
}

std::uint32_t address_prefix_key(std::string_view address) {
  std::uint32_t hash = 2166136261u;
  for (char c : address_prefix(address)) {
    hash ^= static_cast<std::uint8_t>(c);
    hash *= 16777619u;
  }
  return hash;
}

}  // namespace zmesh::dht
