#include "identity/transport_address.hpp"

namespace zmesh {

const char* transport_kind_name(TransportKind kind) {
  switch (kind) {
    case TransportKind::tcp: return "tcp";
    case TransportKind::ws: return "ws";
    case TransportKind::wss: return "wss";
    case TransportKind::webrtc: return "webrtc";
    case TransportKind::quic: return "quic";
  }
  return "unknown";
}

bool is_known_transport(TransportKind kind) {
  return kind >= TransportKind::tcp && kind <= TransportKind::quic;
}

Status TransportAddress::check() const {
  if (static_cast<std::uint8_t>(kind) == 0) return make_error(Errc::malformed, "transport kind 0 is reserved");
  if (address.empty()) return make_error(Errc::malformed, "empty transport address");
  if (address.size() > kMaxTransportAddressBytes) {
    return make_error(Errc::too_large, "transport address of " + std::to_string(address.size()) +
                                           " bytes above limit " + std::to_string(kMaxTransportAddressBytes));
  }
  for (std::size_t i = 0; i < address.size(); ++i) {
    const auto c = static_cast<unsigned char>(address[i]);
    if (c < 0x21 || c > 0x7e) {
      return make_error(Errc::malformed, "transport address has a non-printable byte at offset " + std::to_string(i));
    }
  }
  return {};
}

}  // namespace zmesh
