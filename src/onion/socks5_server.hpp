// The client side's SOCKS5 front door (RFC 1928), one object per local TCP connection, sans-IO:
// the driver feeds the bytes the local application sent, sends back take_output(), opens a
// stream when take_connect_request() yields a target, and reports the outcome. After
// `established` the driver copies bytes between the TCP connection and the stream itself.
//
// Supported: method 0x00 (no authentication) only; CONNECT with IPv4, IPv6 and domain names
// (names go to the exit unresolved, as `curl --socks5-hostname` wants). BIND and UDP ASSOCIATE
// are refused with 0x07. Replies carry BND.ADDR 0.0.0.0:0: the exit's address is not the
// client's business (Tor does the same).
#pragma once

#include <cstdint>
#include <optional>

#include "onion/stream_error.hpp"
#include "onion/stream_target.hpp"
#include "runtime/time.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::onion {

// RFC 1928 §6 REP values.
enum class Socks5Reply : std::uint8_t {
  succeeded = 0x00,
  general_failure = 0x01,
  not_allowed = 0x02,  // "connection not allowed by ruleset": the exit policy
  network_unreachable = 0x03,
  host_unreachable = 0x04,
  connection_refused = 0x05,
  ttl_expired = 0x06,  // used for timeouts, as Tor does
  command_not_supported = 0x07,
  address_type_not_supported = 0x08,
};

// exit_policy -> 0x02, resolve_failed / unreachable -> 0x04, connection_refused -> 0x05,
// timeout -> 0x06, anything else -> 0x01.
Socks5Reply socks5_reply_for(StreamError error);

enum class Socks5State : std::uint8_t {
  greeting,     // waiting for VER NMETHODS METHODS
  request,      // waiting for VER CMD RSV ATYP DST.ADDR DST.PORT
  connecting,   // the request is out; waiting for the stream's outcome
  established,  // success reply sent: pass-through
  closed,       // done (a failure reply may be in take_output()): flush, then close the socket
};

struct Socks5Config {
  DurationUs handshake_timeout = 10 * kSecond;  // greeting + request must arrive within this
  std::size_t max_early_data_bytes = 64 * 1024; // client bytes accepted before the stream opens
};

class Socks5Server {
 public:
  explicit Socks5Server(TimeUs now, Socks5Config config = {});

  // Bytes from the local client (any split). An error means the connection is finished
  // (state closed; a reply may still be waiting in take_output()); a stream already opened for
  // it (e.g. the client then sent more than max_early_data_bytes) must be reset. In
  // `established` the driver no longer calls this: bytes go straight to the stream.
  Status on_client_bytes(ByteView bytes);
  // The target of a CONNECT request, once.
  std::optional<StreamTarget> take_connect_request();
  // The stream's outcome, in `connecting`.
  void on_stream_connected();
  void on_stream_failed(StreamError error);

  void on_timeout(TimeUs now);
  TimeUs next_deadline() const;

  // Bytes to send to the local client.
  Bytes take_output();
  // Bytes the client sent after its request (pipelined data): write them to the stream
  // right after `established`, before anything read from the socket later.
  Bytes take_early_data();

  Socks5State state() const { return state_; }
  // Why the connection closed (empty while it is open or after a clean handshake).
  const std::optional<Error>& error() const { return error_; }

 private:
  Status parse_greeting();
  Status parse_request();
  Status refuse(Socks5Reply reply, Errc code, const std::string& why);
  Status close_silently(Errc code, const std::string& why);
  void reply(Socks5Reply reply);

  Socks5Config config_;
  Socks5State state_ = Socks5State::greeting;
  TimeUs handshake_deadline_;
  Bytes input_;  // unparsed handshake bytes (bounded by the largest request), then early data
  Bytes output_;
  std::optional<StreamTarget> request_;
  std::optional<Error> error_;
};

}  // namespace zmesh::onion
