// The client side of one SOCKS5 connection (RFC 1928, via onion::Socks5Server): handshake,
// a stream through the onion service for the CONNECT target, the reply, then an
// OnionStreamBridge copying bytes. A failed stream gets its SOCKS reply code (exit policy
// 0x02, refused 0x05, ...) before the socket closes.
//
// No path: a stream still waiting for a circuit kNoPathWait after the request, while the
// circuit pool cannot choose a path (too few relays known: OnionService::path_unavailable),
// fails at once with reply 0x01 (general SOCKS server failure: the fault is in the proxy's
// network, not at the target) instead of waiting for the 30 s connect timeout (0x06). The
// node logs the reason once, at warning level (bootstrap_progress.hpp).
#pragma once

#include <memory>

#include "app/onion_session.hpp"
#include "app/onion_stream_bridge.hpp"
#include "onion/socks5_server.hpp"

namespace zmesh::app {

// Stated to users in --socks help (onion_options.cpp), README and docs/protocol/control.md.
inline constexpr DurationUs kNoPathWait = 5 * kSecond;
inline constexpr DurationUs kNoPathRecheck = 1 * kSecond;  // after kNoPathWait, while it waits

class SocksSession final : public OnionSession {
 public:
  SocksSession(OnionSessionOwner& owner, SessionId id, std::unique_ptr<io::TcpStream> socket);
  ~SocksSession() override;
  void start();
  void on_stream_event(const node::OnionStreamEvent& event) override;

 private:
  void on_client_bytes(ByteView bytes);
  void flush_reply();
  void fail_and_close();
  void arm_handshake_timer();
  void arm_path_timer(DurationUs delay);
  void check_path();
  void finished();

  OnionSessionOwner& owner_;
  SessionId id_;
  std::unique_ptr<io::TcpStream> socket_;
  onion::Socks5Server socks_;
  node::StreamKey stream_ = 0;
  std::unique_ptr<OnionStreamBridge> bridge_;
  io::EventLoop::TimerId timer_ = 0;
  io::EventLoop::TimerId path_timer_ = 0;
  bool done_ = false;
};

}  // namespace zmesh::app
