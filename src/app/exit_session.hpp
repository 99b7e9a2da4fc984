// The exit side of one stream: the exit policy, DNS at the exit (io::resolve_host, on a
// bounded resolver thread pool, never blocking the loop), a TCP connect to the first address
// the policy allows, then accept_stream and an OnionStreamBridge; or refuse_stream with the
// reason the client's SOCKS reply will carry (docs/protocol/streams.md).
#pragma once

#include <memory>

#include "app/onion_session.hpp"
#include "app/onion_stream_bridge.hpp"
#include "io/socket.hpp"
#include "onion/exit_policy.hpp"
#include "util/lifetime.hpp"

namespace zmesh::app {

inline constexpr DurationUs kExitConnectTimeout = 10 * kSecond;

class ExitSession final : public OnionSession {
 public:
  ExitSession(OnionSessionOwner& owner, SessionId id, const onion::ExitPolicy& policy, node::StreamKey stream,
              onion::StreamTarget target);
  ~ExitSession() override;
  void start();
  void on_stream_event(const node::OnionStreamEvent& event) override;

 private:
  void connect_to(const std::vector<io::SocketAddress>& resolved);
  void on_connected(Result<std::unique_ptr<io::TcpStream>> result);
  void refuse(onion::StreamError reason);
  void finished();

  OnionSessionOwner& owner_;
  SessionId id_;
  const onion::ExitPolicy& policy_;
  node::StreamKey stream_;
  onion::StreamTarget target_;
  std::unique_ptr<io::TcpConnector> connector_;
  std::unique_ptr<OnionStreamBridge> bridge_;
  bool stream_gone_ = false;
  bool done_ = false;
  LifetimeGuard alive_;  // guards the resolver callback
};

}  // namespace zmesh::app
