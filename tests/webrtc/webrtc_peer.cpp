// A small native WebRTC peer for interop and multi-process tests (not part of the node):
//
//   webrtc_peer listen [--sessions N] [--url webrtc+ws://127.0.0.1:0/webrtc] [TURN options]
//       serves WebSocket signaling, prints "SIGNALING <url>" once listening, runs the exchange
//       below on N accepted connections, exits 0 if all verified.
//   webrtc_peer dial URL [TURN options]
//       dials a listener over WebRTC, runs the exchange, exits 0 if verified.
//   TURN options: --turn HOST:PORT --turn-user U --turn-pass P --relay-only
//   --local-address IP: gather on IP instead of 127.0.0.1 (Chromium ignores loopback)
//
// The exchange, the same in web/test/webrtc_peer.js: each side sends messages of 1 byte,
// 1 KiB and the connection's maximum size filled with test::pattern(size, i, side) (listener
// side 0, dialer/browser side 1), checks the peer's three byte for byte, then sends "verified";
// it is done when it verified the peer's and got the peer's "verified".
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "io/webrtc/ws_signaling.hpp"
#include "webrtc_test_util.hpp"

namespace zmesh::io::webrtc {
namespace {

constexpr std::string_view kVerified = "verified";

struct Exchange {
  Exchange(Connection& c, std::uint32_t side) : connection(c), side(side) {
    sizes = {1, 1024, c.max_message_bytes()};
    c.on_data([this](ByteView m) { receive(m); });
    c.on_close([this](const CloseReason& r) {
      closed = true;
      if (!done()) failure = "closed early: " + r.describe();
    });
    for (std::uint32_t i = 0; i < sizes.size(); ++i) {
      if (auto s = c.send(test::pattern(sizes[i], i, side)); !s.ok()) failure = "send: " + s.error().describe();
    }
  }
  void receive(ByteView m) {
    if (received < sizes.size()) {
      if (Bytes(m.begin(), m.end()) != test::pattern(sizes[received], static_cast<std::uint32_t>(received), 1 - side)) {
        failure = "message " + std::to_string(received) + " (" + std::to_string(m.size()) + " bytes) differs";
      }
      if (++received == sizes.size() && failure.empty()) (void)connection.send(as_bytes(kVerified));
      return;
    }
    peer_verified = std::string_view(reinterpret_cast<const char*>(m.data()), m.size()) == kVerified;
    if (!peer_verified) failure = "peer did not verify";
  }
  bool done() const { return received == sizes.size() && peer_verified; }

  Connection& connection;
  std::uint32_t side;
  std::vector<std::size_t> sizes;
  std::size_t received = 0;
  bool peer_verified = false;
  bool closed = false;
  std::string failure;
};

struct Options {
  std::string mode, url = "webrtc+ws://127.0.0.1:0/webrtc";
  int sessions = 1;
  RtcConfig config = test::loopback_config();
};

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) return o;
  o.mode = argv[1];
  IceServer turn;
  turn.kind = IceServer::Kind::turn_udp;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--sessions") o.sessions = std::stoi(next());
    else if (a == "--url") o.url = next();
    else if (a == "--relay-only") o.config.relay_only = true;
    else if (a == "--local-address") {
      // Gather on this address only and accept only candidates on it (a private namespace).
      std::string ip = next();
      o.config.local_addresses = {ip};
      o.config.accept_remote_candidate = [ip](const IceCandidate& c) { return c.address == ip || is_loopback_candidate(c); };
    }
    else if (a == "--turn-user") turn.username = next();
    else if (a == "--turn-pass") turn.password = next();
    else if (a == "--turn") {
      std::string hp = next();
      turn.host = hp.substr(0, hp.rfind(':'));
      turn.port = static_cast<std::uint16_t>(std::stoi(hp.substr(hp.rfind(':') + 1)));
    } else if (o.mode == "dial") {
      o.url = a;
    }
  }
  if (!turn.host.empty()) o.config.ice_servers.push_back(turn);
  return o;
}

int run(const Options& o) {
  auto loop = test::make_loop();
  SystemRandom random;
  auto engine = test::make_engine(*loop, random, o.config);
  std::vector<std::unique_ptr<Connection>> connections;
  std::vector<std::unique_ptr<Exchange>> exchanges;
  std::unique_ptr<WebRtcListener> listener;
  std::unique_ptr<RtcDial> dialing;
  std::string error;
  auto adopt = [&](std::unique_ptr<Connection> c, std::uint32_t side) {
    auto* rtc = dynamic_cast<WebRtcConnection*>(c.get());
    std::fprintf(stderr, "webrtc_peer: open via %s\n", rtc ? rtc->candidate_pair().c_str() : "?");
    exchanges.push_back(std::make_unique<Exchange>(*c, side));
    connections.push_back(std::move(c));
  };
  if (o.mode == "listen") {
    auto l = WebRtcListener::open(*engine, o.url);
    if (!l.ok()) return std::fprintf(stderr, "listen: %s\n", l.error().describe().c_str()), 2;
    listener = std::move(l.value());
    listener->on_accept([&](std::unique_ptr<Connection> c) { adopt(std::move(c), 0); });
    std::printf("SIGNALING %s\n", listener->local_url().c_str());
    std::fflush(stdout);
  } else if (o.mode == "dial") {
    dialing = dial(*engine, random, o.url, [&](Result<std::unique_ptr<Connection>> r) {
      if (!r.ok()) error = r.error().describe();
      else adopt(std::move(r.value()), 1);
    });
  } else {
    std::fprintf(stderr, "usage: webrtc_peer listen|dial [URL] [--sessions N] [--turn H:P --turn-user U --turn-pass P --relay-only]\n");
    return 2;
  }
  auto finished = [&] {
    if (!error.empty()) return true;
    int done = 0;
    for (auto& e : exchanges) {
      if (!e->failure.empty()) return true;
      done += e->done() ? 1 : 0;
    }
    return done == o.sessions;
  };
  bool ok = loop->run_until(finished, 60 * kSecond);
  for (auto& e : exchanges) {
    if (!e->failure.empty()) error = e->failure;
  }
  if (!ok && error.empty()) error = "timed out with " + std::to_string(exchanges.size()) + " connection(s)";
  if (!error.empty()) return std::fprintf(stderr, "webrtc_peer %s: FAILED: %s\n", o.mode.c_str(), error.c_str()), 1;
  // The dialer closes; the listener waits for that close (bounded) so nothing is cut mid-flight.
  if (o.mode == "dial") connections[0]->close();
  loop->run_until([&] {
    for (auto& e : exchanges) if (!e->closed) return false;
    return true;
  }, 5 * kSecond);
  std::fprintf(stderr, "webrtc_peer %s: verified %zu session(s), max message %zu bytes\n", o.mode.c_str(), exchanges.size(),
               exchanges[0]->sizes[2]);
  return 0;
}

}  // namespace
}  // namespace zmesh::io::webrtc

int main(int argc, char** argv) { return zmesh::io::webrtc::run(zmesh::io::webrtc::parse(argc, argv)); }
