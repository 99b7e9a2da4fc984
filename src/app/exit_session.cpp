#include "app/exit_session.hpp"

namespace zmesh::app {

using onion::StreamError;
using onion::StreamEventKind;
using onion::TargetKind;

ExitSession::ExitSession(OnionSessionOwner& owner, SessionId id, const onion::ExitPolicy& policy, node::StreamKey stream,
                         onion::StreamTarget target)
    : owner_(owner), id_(id), policy_(policy), stream_(stream), target_(std::move(target)) {}

ExitSession::~ExitSession() {
  alive_.expire();
  if (!bridge_ && !stream_gone_) (void)owner_.service().reset(owner_.loop().core_now(), stream_, StreamError::aborted);
}

void ExitSession::start() {
  if (!policy_.might_accept_port(target_.port)) {
    refuse(StreamError::exit_policy);  // no lookup for a port nothing could accept
    return;
  }
  if (target_.kind != TargetKind::domain) {
    connect_to({io::SocketAddress::from_ip(target_.ip, target_.port)});
    return;
  }
  LifetimeObserver alive = alive_.observer();
  io::resolve_host(owner_.loop(), target_.domain, target_.port,
                   [this, alive](Result<std::vector<io::SocketAddress>> resolved) {
                     if (alive.expired() || stream_gone_) return;
                     if (!resolved.ok() || resolved->empty()) {
                       refuse(StreamError::resolve_failed);
                       return;
                     }
                     connect_to(*resolved);
                   });
}

void ExitSession::connect_to(const std::vector<io::SocketAddress>& resolved) {
  std::vector<IpAddress> ips;
  for (const io::SocketAddress& address : resolved)
    if (address.family() == AF_INET || address.family() == AF_INET6) ips.push_back(address.ip_address());
  const auto allowed = policy_.first_allowed(ips, target_.port);
  if (!allowed) {
    refuse(StreamError::exit_policy);
    return;
  }
  const io::SocketAddress address = io::SocketAddress::from_ip(*allowed, target_.port);
  connector_ = std::make_unique<io::TcpConnector>(owner_.loop(), std::vector<io::SocketAddress>{address}, kExitConnectTimeout,
                                                  bridged_socket_options(),
                                                  [this](Result<std::unique_ptr<io::TcpStream>> result) {
                                                    on_connected(std::move(result));
                                                  });
}

void ExitSession::on_connected(Result<std::unique_ptr<io::TcpStream>> result) {
  if (stream_gone_) return;
  if (!result.ok()) {
    const Error& e = result.error();
    const bool refused = e.message.find("refused") != std::string::npos;
    refuse(e.code == Errc::timeout ? StreamError::timeout : refused ? StreamError::connection_refused : StreamError::unreachable);
    return;
  }
  if (!owner_.service().accept_stream(owner_.loop().core_now(), stream_).ok()) {
    stream_gone_ = true;
    finished();
    return;
  }
  bridge_ = std::make_unique<OnionStreamBridge>(owner_.service(), stream_, std::move(*result), owner_.drain(),
                                                [this] { finished(); });
  bridge_->start({});
  owner_.drain().request();  // we run in the connector's callback: send the ACCEPT
}

void ExitSession::refuse(StreamError reason) {
  stream_gone_ = true;
  (void)owner_.service().refuse_stream(owner_.loop().core_now(), stream_, reason);
  owner_.drain().request();
  finished();
}

void ExitSession::on_stream_event(const node::OnionStreamEvent& event) {
  if (bridge_) {
    bridge_->on_stream_event(event);
    return;
  }
  if (event.kind == StreamEventKind::reset || event.kind == StreamEventKind::closed) {
    stream_gone_ = true;  // the client gave up before we connected
    connector_.reset();
    finished();
  }
}

void ExitSession::finished() {
  if (done_) return;
  done_ = true;
  owner_.session_done(id_);
}

}  // namespace zmesh::app
