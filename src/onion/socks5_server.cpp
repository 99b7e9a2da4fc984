#include "onion/socks5_server.hpp"

#include <algorithm>
#include <utility>

#include "wire/reader.hpp"

namespace zmesh::onion {
namespace {

constexpr std::uint8_t kSocksVersion = 5;
constexpr std::uint8_t kMethodNoAuth = 0x00;
constexpr std::uint8_t kNoAcceptableMethod = 0xff;
constexpr std::uint8_t kCommandConnect = 0x01;
// The longest handshake message: a request with a 255-byte name.
constexpr std::size_t kMaxHandshakeBytes = 4 + kMaxEncodedTargetBytes;

bool is_known_address_type(std::uint8_t atyp) {
  return atyp == static_cast<std::uint8_t>(TargetKind::ipv4) || atyp == static_cast<std::uint8_t>(TargetKind::ipv6) ||
         atyp == static_cast<std::uint8_t>(TargetKind::domain);
}

}  // namespace

Socks5Reply socks5_reply_for(StreamError error) {
  switch (error) {
    case StreamError::exit_policy: return Socks5Reply::not_allowed;
    case StreamError::resolve_failed:
    case StreamError::unreachable: return Socks5Reply::host_unreachable;
    case StreamError::connection_refused: return Socks5Reply::connection_refused;
    case StreamError::timeout: return Socks5Reply::ttl_expired;
    default: return Socks5Reply::general_failure;
  }
}

Socks5Server::Socks5Server(TimeUs now, Socks5Config config)
    : config_(config), handshake_deadline_(now + config.handshake_timeout) {}

Status Socks5Server::on_client_bytes(ByteView bytes) {
  switch (state_) {
    case Socks5State::closed:
      return make_error(Errc::closed, "socks5: connection closed");
    case Socks5State::established:
      return make_error(Errc::invalid_argument, "socks5: established; pass bytes to the stream");
    case Socks5State::connecting:
      if (input_.size() + bytes.size() > config_.max_early_data_bytes)
        return refuse(Socks5Reply::general_failure, Errc::limit_exceeded, "client sent too much before the stream opened");
      append(input_, bytes);
      return {};
    case Socks5State::greeting:
    case Socks5State::request:
      break;
  }
  append(input_, bytes);
  if (state_ == Socks5State::greeting) ZM_CHECK(parse_greeting());
  if (state_ == Socks5State::request) ZM_CHECK(parse_request());
  if ((state_ == Socks5State::greeting || state_ == Socks5State::request) && input_.size() > kMaxHandshakeBytes)
    return close_silently(Errc::malformed, "handshake message too long");  // unreachable by construction; a guard
  return {};
}

// RFC 1928 §3: VER=5 NMETHODS METHODS[NMETHODS]; we answer VER METHOD.
Status Socks5Server::parse_greeting() {
  wire::Reader in(input_);
  auto version = in.u8();
  if (!version.ok()) return {};
  if (*version != kSocksVersion) return close_silently(Errc::malformed, "not SOCKS5 (version byte " + std::to_string(*version) + ")");
  auto count = in.u8();
  if (!count.ok()) return {};
  auto methods = in.bytes(*count);
  if (!methods.ok()) return {};
  const bool no_auth = std::find(methods->begin(), methods->end(), kMethodNoAuth) != methods->end();
  output_.push_back(kSocksVersion);
  if (!no_auth) {
    output_.push_back(kNoAcceptableMethod);
    state_ = Socks5State::closed;
    error_ = make_error(Errc::invalid_argument, "socks5: client does not offer 'no authentication'");
    return *error_;
  }
  output_.push_back(kMethodNoAuth);
  input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(in.offset()));
  state_ = Socks5State::request;
  return {};
}

// RFC 1928 §4: VER=5 CMD RSV ATYP DST.ADDR DST.PORT. RSV is ignored (robustness).
Status Socks5Server::parse_request() {
  wire::Reader in(input_);
  auto version = in.u8();
  if (!version.ok()) return {};
  if (*version != kSocksVersion) return refuse(Socks5Reply::general_failure, Errc::malformed, "request version " + std::to_string(*version));
  auto command = in.u8();
  if (!command.ok()) return {};
  if (*command != kCommandConnect) return refuse(Socks5Reply::command_not_supported, Errc::invalid_argument, "only CONNECT is supported (command " + std::to_string(*command) + ")");
  if (!in.u8().ok() || in.remaining() == 0) return {};
  if (!is_known_address_type(input_[in.offset()]))
    return refuse(Socks5Reply::address_type_not_supported, Errc::malformed, "address type " + std::to_string(input_[in.offset()]));
  auto target = decode_target(in);
  if (!target.ok()) {
    if (target.error().code == Errc::truncated) return {};
    return refuse(Socks5Reply::general_failure, target.error().code, target.error().message);
  }
  request_ = std::move(target).value();
  input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(in.offset()));
  if (input_.size() > config_.max_early_data_bytes)
    return refuse(Socks5Reply::general_failure, Errc::limit_exceeded, "client sent too much before the stream opened");
  state_ = Socks5State::connecting;
  return {};
}

std::optional<StreamTarget> Socks5Server::take_connect_request() {
  std::optional<StreamTarget> out = std::move(request_);
  request_.reset();
  return out;
}

void Socks5Server::on_stream_connected() {
  if (state_ != Socks5State::connecting) return;
  reply(Socks5Reply::succeeded);
  state_ = Socks5State::established;
}

void Socks5Server::on_stream_failed(StreamError error) {
  if (state_ != Socks5State::connecting) return;
  (void)refuse(socks5_reply_for(error), Errc::closed, std::string("stream failed: ") + stream_error_name(error));
}

TimeUs Socks5Server::next_deadline() const {
  return state_ == Socks5State::greeting || state_ == Socks5State::request ? handshake_deadline_ : kNever;
}

void Socks5Server::on_timeout(TimeUs now) {
  if (now >= next_deadline()) (void)close_silently(Errc::timeout, "handshake timed out");
}

Bytes Socks5Server::take_output() { return std::exchange(output_, Bytes{}); }

Bytes Socks5Server::take_early_data() {
  if (state_ != Socks5State::established) return {};
  return std::exchange(input_, Bytes{});
}

Status Socks5Server::refuse(Socks5Reply code, Errc errc, const std::string& why) {
  reply(code);
  return close_silently(errc, why);
}

Status Socks5Server::close_silently(Errc code, const std::string& why) {
  state_ = Socks5State::closed;
  input_.clear();
  request_.reset();
  error_ = make_error(code, "socks5: " + why);
  return *error_;
}

// RFC 1928 §6: VER REP RSV ATYP BND.ADDR BND.PORT, here always with 0.0.0.0:0.
void Socks5Server::reply(Socks5Reply code) {
  const std::uint8_t bytes[] = {kSocksVersion, static_cast<std::uint8_t>(code), 0x00, 0x01, 0, 0, 0, 0, 0, 0};
  output_.insert(output_.end(), std::begin(bytes), std::end(bytes));
}

}  // namespace zmesh::onion
