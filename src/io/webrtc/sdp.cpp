#include "io/webrtc/sdp.hpp"

#include "io/webrtc/text_tokens.hpp"

namespace zmesh::io::webrtc {
namespace {

Error bad(std::string what) { return make_error(Errc::malformed, "SDP: " + std::move(what)); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Attributes that may appear at session level and be overridden in the media section.
struct Attributes {
  std::optional<std::string> ufrag, pwd, mid;
  std::optional<CertificateFingerprint> fingerprint;
  bool saw_fingerprint = false;
  std::optional<DtlsSetup> setup;
  std::optional<std::uint16_t> sctp_port;
  std::optional<std::uint64_t> max_message_size;
  std::optional<bool> trickle;
  bool ice_lite = false;
  std::vector<std::string> bundle;
  std::vector<IceCandidate> candidates;
  bool end_of_candidates = false;
};

Status parse_setup(std::string_view value, Attributes& a) {
  if (value == "actpass") a.setup = DtlsSetup::actpass;
  else if (value == "active") a.setup = DtlsSetup::active;
  else if (value == "passive") a.setup = DtlsSetup::passive;
  else return bad("a=setup value");
  return {};
}

Status parse_ice_credential(std::string_view value, std::size_t min, std::optional<std::string>& out) {
  // RFC 8839 §5.4: ufrag 4*256 ice-char, pwd 22*256 ice-char.
  if (value.size() < min || value.size() > 256 || !text::is_ice_chars(value)) return bad("ICE credential");
  out = std::string(value);
  return {};
}

Status parse_attribute(std::string_view attr, Attributes& a) {
  auto colon = attr.find(':');
  std::string_view name = attr.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view{} : attr.substr(colon + 1);
  if (name == "ice-ufrag") return parse_ice_credential(value, 4, a.ufrag);
  if (name == "ice-pwd") return parse_ice_credential(value, 22, a.pwd);
  if (name == "ice-lite") a.ice_lite = true;
  if (name == "ice-options") {
    auto options = text::split_spaces(value, 16);
    if (!options) return bad("too many ice-options");
    a.trickle = false;
    for (auto o : *options) a.trickle = *a.trickle || o == "trickle";
  }
  if (name == "fingerprint") {
    // Several fingerprints with different hashes may be offered; we use the SHA-256 one.
    a.saw_fingerprint = true;
    if (value.substr(0, 8) == "sha-256 " || value.substr(0, 8) == "SHA-256 ") {
      ZM_TRY(auto fp, parse_fingerprint(value));
      a.fingerprint = fp;
    }
  }
  if (name == "setup") return parse_setup(value, a);
  if (name == "mid") {
    if (value.empty() || value.size() > 32 || !text::is_visible_ascii(value)) return bad("a=mid");
    a.mid = std::string(value);
  }
  if (name == "sctp-port") {
    auto port = text::parse_decimal(value, 65535);
    if (!port || *port == 0) return bad("a=sctp-port");
    a.sctp_port = static_cast<std::uint16_t>(*port);
  }
  if (name == "max-message-size") {
    auto size = text::parse_decimal(value, 0xffffffffffffull);
    if (!size) return bad("a=max-message-size");
    a.max_message_size = *size;
  }
  if (name == "group") {
    auto tokens = text::split_spaces(value, 17);
    if (!tokens || tokens->empty()) return bad("a=group");
    if ((*tokens)[0] == "BUNDLE") a.bundle.assign(tokens->begin() + 1, tokens->end());
  }
  if (name == "candidate") {
    if (a.candidates.size() == kMaxSdpCandidates) return make_error(Errc::too_large, "SDP: too many candidates");
    ZM_TRY(auto candidate, parse_candidate(value));
    a.candidates.push_back(std::move(candidate));
  }
  if (name == "end-of-candidates") a.end_of_candidates = true;
  return {};
}

// m=application <port> UDP/DTLS/SCTP webrtc-datachannel (RFC 8841 §4.1).
Status check_media_line(std::string_view value) {
  auto t = text::split_spaces(value, 8);
  if (!t || t->size() < 4) return bad("m= line");
  if ((*t)[0] != "application") return bad("only a data channel (m=application) section is supported");
  if (!text::parse_decimal((*t)[1], 65535)) return bad("m= port");
  if ((*t)[2] != "UDP/DTLS/SCTP" && (*t)[2] != "TCP/DTLS/SCTP") return bad("m= protocol is not UDP/DTLS/SCTP");
  if ((*t)[3] != "webrtc-datachannel") return bad("m= format is not webrtc-datachannel");
  return {};
}

Status parse_origin(std::string_view value, SdpDescription& out) {
  // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
  auto t = text::split_spaces(value, 6);
  if (!t || t->size() != 6) return bad("o= line");
  if (!text::parse_decimal((*t)[1], ~0ull)) return bad("o= session id");
  out.session_id = std::string((*t)[1]);
  return {};
}

// Media-level values override session-level ones (RFC 8839 §5.4, RFC 8842 §5).
template <class T>
std::optional<T> pick(const std::optional<T>& media, const std::optional<T>& session) {
  return media ? media : session;
}

Result<SdpDescription> finish(SdpDescription out, const Attributes& s, const Attributes& m) {
  auto ufrag = pick(m.ufrag, s.ufrag);
  auto pwd = pick(m.pwd, s.pwd);
  auto fingerprint = pick(m.fingerprint, s.fingerprint);
  auto setup = pick(m.setup, s.setup);
  if (!ufrag || !pwd) return bad("missing a=ice-ufrag / a=ice-pwd");
  if (!fingerprint) return bad(m.saw_fingerprint || s.saw_fingerprint ? "no sha-256 fingerprint" : "missing a=fingerprint");
  if (!setup) return bad("missing a=setup");
  out.ice_ufrag = *ufrag;
  out.ice_pwd = *pwd;
  out.fingerprint = *fingerprint;
  out.setup = *setup;
  out.ice_lite = s.ice_lite;
  out.ice_trickle = pick(m.trickle, s.trickle).value_or(false);
  if (m.mid) out.mid = *m.mid;
  for (const auto& b : s.bundle) out.bundle = out.bundle || b == out.mid;
  if (m.sctp_port) out.sctp_port = *m.sctp_port;
  if (m.max_message_size) out.max_message_size = *m.max_message_size;
  out.candidates = m.candidates;
  out.end_of_candidates = m.end_of_candidates;
  return out;
}

}  // namespace

const char* sdp_type_name(SdpType type) { return type == SdpType::offer ? "offer" : "answer"; }

Result<SdpType> parse_sdp_type(std::string_view name) {
  if (name == "offer") return SdpType::offer;
  if (name == "answer") return SdpType::answer;
  return make_error(Errc::malformed, "SDP type must be offer or answer");
}

const char* dtls_setup_name(DtlsSetup setup) {
  switch (setup) {
    case DtlsSetup::actpass: return "actpass";
    case DtlsSetup::active: return "active";
    case DtlsSetup::passive: return "passive";
  }
  return "?";
}

std::string CertificateFingerprint::to_sdp() const {
  static const char* digits = "0123456789ABCDEF";
  std::string out = "sha-256 ";
  for (std::size_t i = 0; i < sha256.size(); ++i) {
    if (i != 0) out += ':';
    out += digits[sha256[i] >> 4];
    out += digits[sha256[i] & 0xf];
  }
  return out;
}

Result<CertificateFingerprint> parse_fingerprint(std::string_view value) {
  // "sha-256" SP 32 colon-separated hex pairs (RFC 8122 §5).
  if (value.size() != 8 + 32 * 3 - 1 || !text::iequals(value.substr(0, 8), "sha-256 ")) {
    return bad("fingerprint is not sha-256 with 32 bytes");
  }
  CertificateFingerprint fp;
  std::string_view hex = value.substr(8);
  for (std::size_t i = 0; i < 32; ++i) {
    int hi = hex_digit(hex[3 * i]), lo = hex_digit(hex[3 * i + 1]);
    if (hi < 0 || lo < 0 || (i < 31 && hex[3 * i + 2] != ':')) return bad("fingerprint hex");
    fp.sha256[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return fp;
}

Result<SdpDescription> parse_sdp(std::string_view text) {
  if (text.size() > kMaxSdpBytes) return make_error(Errc::too_large, "SDP larger than 64 KiB");
  SdpDescription out;
  Attributes session, media;
  int media_sections = 0;
  std::size_t lines = 0;
  while (!text.empty()) {
    auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    if (++lines > kMaxSdpLines) return make_error(Errc::too_large, "SDP has too many lines");
    // RFC 8866 §5: <type>=<value>, type one lowercase letter.
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') return bad("line is not <type>=<value>");
    if (lines == 1 && line != "v=0") return bad("must start with v=0");
    std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'o': ZM_CHECK(parse_origin(value, out)); break;
      case 'm':
        if (++media_sections > 1) return bad("more than one media section");
        ZM_CHECK(check_media_line(value));
        break;
      case 'a': ZM_CHECK(parse_attribute(value, media_sections == 0 ? session : media)); break;
      default: break;  // v, s, t, c, b, ...: nothing a data channel needs
    }
  }
  if (lines == 0) return bad("empty");
  if (media_sections == 0) return bad("no m=application section");
  return finish(std::move(out), session, media);
}

std::string write_sdp(const SdpDescription& d) {
  std::string out;
  auto line = [&out](std::string_view l) {
    out.append(l);
    out.append("\r\n");
  };
  line("v=0");
  line("o=- " + d.session_id + " 2 IN IP4 127.0.0.1");
  line("s=-");
  line("t=0 0");
  if (d.bundle) line("a=group:BUNDLE " + d.mid);
  if (d.ice_lite) line("a=ice-lite");
  line("m=application 9 UDP/DTLS/SCTP webrtc-datachannel");
  line("c=IN IP4 0.0.0.0");
  for (const auto& c : d.candidates) line("a=" + format_candidate(c));
  if (d.end_of_candidates) line("a=end-of-candidates");
  line("a=ice-ufrag:" + d.ice_ufrag);
  line("a=ice-pwd:" + d.ice_pwd);
  if (d.ice_trickle) line("a=ice-options:trickle");
  line("a=fingerprint:" + d.fingerprint.to_sdp());
  line(std::string("a=setup:") + dtls_setup_name(d.setup));
  line("a=mid:" + d.mid);
  line("a=sctp-port:" + std::to_string(d.sctp_port));
  line("a=max-message-size:" + std::to_string(d.max_message_size));
  return out;
}

}  // namespace zmesh::io::webrtc
