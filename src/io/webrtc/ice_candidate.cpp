#include "io/webrtc/ice_candidate.hpp"

#include "io/webrtc/text_tokens.hpp"

namespace zmesh::io::webrtc {
namespace {

Error bad(std::string what) { return make_error(Errc::malformed, "ICE candidate: " + std::move(what)); }

std::optional<CandidateType> type_from(std::string_view name) {
  if (name == "host") return CandidateType::host;
  if (name == "srflx") return CandidateType::srflx;
  if (name == "prflx") return CandidateType::prflx;
  if (name == "relay") return CandidateType::relay;
  return std::nullopt;
}

// connection-address: an IP literal or an FQDN; we only check it is a bounded visible token.
bool plausible_address(std::string_view address) { return !address.empty() && address.size() <= 255 && text::is_visible_ascii(address); }

}  // namespace

const char* candidate_type_name(CandidateType type) {
  switch (type) {
    case CandidateType::host: return "host";
    case CandidateType::srflx: return "srflx";
    case CandidateType::prflx: return "prflx";
    case CandidateType::relay: return "relay";
  }
  return "?";
}

Result<IceCandidate> parse_candidate(std::string_view line) {
  if (line.size() > kMaxCandidateBytes) return make_error(Errc::too_large, "ICE candidate longer than 1024 bytes");
  if (line.substr(0, 2) == "a=") line.remove_prefix(2);
  if (line.substr(0, 10) == "candidate:") line.remove_prefix(10);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
  auto tokens = text::split_spaces(line, 8 + 4 + 2 * kMaxCandidateExtensions);
  if (!tokens) return make_error(Errc::too_large, "ICE candidate: too many fields");
  const auto& t = *tokens;
  if (t.size() < 8) return bad("fewer than 8 fields");

  IceCandidate c;
  // RFC 8839 §5.1: foundation = 1*32 ice-char.
  if (t[0].empty() || t[0].size() > 32 || !text::is_ice_chars(t[0])) return bad("foundation");
  c.foundation = std::string(t[0]);
  auto component = text::parse_decimal(t[1], 256);
  if (!component || *component == 0) return bad("component id");
  c.component = static_cast<std::uint16_t>(*component);
  if (text::iequals(t[2], "udp")) {
    c.transport = "udp";
  } else if (text::iequals(t[2], "tcp")) {
    c.transport = "tcp";
  } else {
    return bad("transport");
  }
  auto priority = text::parse_decimal(t[3], 0xffffffffu);
  if (!priority || *priority == 0) return bad("priority");
  c.priority = static_cast<std::uint32_t>(*priority);
  if (!plausible_address(t[4])) return bad("address");
  c.address = std::string(t[4]);
  auto port = text::parse_decimal(t[5], 65535);
  if (!port) return bad("port");
  c.port = static_cast<std::uint16_t>(*port);
  if (t[6] != "typ") return bad("expected 'typ'");
  auto type = type_from(t[7]);
  if (!type) return bad("candidate type");
  c.type = *type;

  std::size_t i = 8;
  if (i + 1 < t.size() && t[i] == "raddr") {
    if (!plausible_address(t[i + 1])) return bad("raddr");
    c.related_address = std::string(t[i + 1]);
    i += 2;
  }
  if (i + 1 < t.size() && t[i] == "rport") {
    auto rport = text::parse_decimal(t[i + 1], 65535);
    if (!rport) return bad("rport");
    c.related_port = static_cast<std::uint16_t>(*rport);
    i += 2;
  }
  // *(SP extension-att-name SP extension-att-value): name/value pairs (tcptype, generation, ...).
  if ((t.size() - i) % 2 != 0) return bad("extension without a value");
  for (; i < t.size(); i += 2) {
    if (t[i].size() > 64 || t[i + 1].size() > 256 || !text::is_visible_ascii(t[i]) || !text::is_visible_ascii(t[i + 1])) {
      return bad("extension");
    }
    if (t[i] == "raddr" || t[i] == "rport" || t[i] == "typ") return bad("misplaced " + std::string(t[i]));
    c.extensions.emplace_back(std::string(t[i]), std::string(t[i + 1]));
  }
  if (c.extensions.size() > kMaxCandidateExtensions) return make_error(Errc::too_large, "ICE candidate: too many extensions");
  return c;
}

std::string format_candidate(const IceCandidate& c) {
  std::string out = "candidate:" + c.foundation + " " + std::to_string(c.component) + " " + c.transport + " " +
                    std::to_string(c.priority) + " " + c.address + " " + std::to_string(c.port) + " typ " +
                    candidate_type_name(c.type);
  if (c.related_address) out += " raddr " + *c.related_address;
  if (c.related_port) out += " rport " + std::to_string(*c.related_port);
  for (const auto& [name, value] : c.extensions) out += " " + name + " " + value;
  return out;
}

}  // namespace zmesh::io::webrtc
