// The client side of one SOCKS5 connection (RFC 1928, via onion::Socks5Server): handshake,
// a stream through the onion service for the CONNECT target, the reply, then an
// OnionStreamBridge copying bytes. A failed stream gets its SOCKS reply code (exit policy
// 0x02, refused 0x05, ...) before the socket closes.
#pragma once

#include <memory>

#include "app/onion_session.hpp"
#include "app/onion_stream_bridge.hpp"
#include "onion/socks5_server.hpp"

namespace zmesh::app {

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
  void finished();

  OnionSessionOwner& owner_;
  SessionId id_;
  std::unique_ptr<io::TcpStream> socket_;
  onion::Socks5Server socks_;
  node::StreamKey stream_ = 0;
  std::unique_ptr<OnionStreamBridge> bridge_;
  io::EventLoop::TimerId timer_ = 0;
  bool done_ = false;
};

}  // namespace zmesh::app
