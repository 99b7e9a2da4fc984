#include "io/webrtc/webrtc_connection.hpp"

namespace zmesh::io::webrtc {
namespace {

CloseKind kind_for(const Error& error) {
  switch (error.code) {
    case Errc::timeout: return CloseKind::timeout;
    case Errc::too_large: return CloseKind::too_large;
    case Errc::verify_failed:
    case Errc::protocol_violation:
    case Errc::malformed: return CloseKind::protocol_error;
    default: return CloseKind::reset;
  }
}

}  // namespace

WebRtcConnection::WebRtcConnection(EventLoop& loop, std::unique_ptr<PeerConnection> peer, std::shared_ptr<DataChannel> channel)
    : loop_(loop), peer_(std::move(peer)), channel_(std::move(channel)) {
  // Until the owner has its callbacks, hold what arrives and stop reading more.
  peer_->set_receive_paused(true);
  channel_->on_message([this](ByteView message, bool) {
    if (idle_timeout_ > 0) restart_idle_timer();
    if (closing_) return;
    if (!on_data_ || !early_messages_.empty() || early_timer_ != 0) {
      early_messages_.emplace_back(message.begin(), message.end());
      peer_->set_receive_paused(true);
      return;
    }
    on_data_(message);
  });
  channel_->on_closed([this] {
    // The peer closed the channel (stream reset): end the association gracefully too.
    if (!closing_) finish(CloseReason{CloseKind::peer_closed, "data channel closed by the peer", 0});
    peer_->close();
  });
  peer_->on_writable([this] {
    if (on_writable_) on_writable_();
  });
  PeerConnection::Callbacks cb;
  cb.on_failed = [this](const Error& e) { finish(CloseReason{kind_for(e), e.message, 0}); };
  cb.on_closed = [this] {
    finish(closing_ ? CloseReason{CloseKind::local, "closed by this side", 0}
                    : CloseReason{CloseKind::peer_closed, "association shut down by the peer", 0});
  };
  // The connection owns the peer from now on.
  peer_->replace_callbacks(std::move(cb));
}

WebRtcConnection::~WebRtcConnection() {
  alive_.expire();
  loop_.cancel(idle_timer_);
  loop_.cancel(finish_timer_);
  loop_.cancel(early_timer_);
  channel_->on_message(nullptr);
  channel_->on_closed(nullptr);
}

std::string WebRtcConnection::remote_description() const {
  const std::string pair = peer_->selected_pair();
  const std::size_t arrow = pair.find("<-> ");
  if (arrow == std::string::npos) return pair;
  const std::string remote = pair.substr(arrow + 4);  // "ADDRESS:PORT TYPE"
  return remote.substr(0, remote.rfind(' '));
}

void WebRtcConnection::on_data(DataCallback callback) {
  on_data_ = std::move(callback);
  if (on_data_ && early_timer_ == 0) {
    early_timer_ = loop_.run_at(0, [this] {
      early_timer_ = 0;
      deliver_early_messages();
    });
  }
}

void WebRtcConnection::deliver_early_messages() {
  LifetimeObserver alive = alive_.observer();
  while (!early_messages_.empty() && on_data_ && !closing_ && !user_paused_) {
    Bytes message = std::move(early_messages_.front());
    early_messages_.pop_front();
    on_data_(message);
    if (alive.expired()) return;
  }
  if (early_messages_.empty()) peer_->set_receive_paused(user_paused_);
}

void WebRtcConnection::set_receive_paused(bool paused) {
  user_paused_ = paused;
  if (!paused && !early_messages_.empty()) {
    on_data(std::move(on_data_));  // schedules delivery of what is held
    return;
  }
  if (early_messages_.empty()) peer_->set_receive_paused(paused);
}

void WebRtcConnection::on_close(CloseCallback callback) {
  on_close_ = std::move(callback);
  if (undelivered_close_ && finish_timer_ == 0) {
    finish_timer_ = loop_.run_at(0, [this] {
      finish_timer_ = 0;
      deliver_close();
    });
  }
}

Status WebRtcConnection::send(ByteView message) {
  if (closing_ || finished_) return make_error(Errc::closed, "WebRTC connection is closing");
  return channel_->send(message);
}

void WebRtcConnection::close() {
  if (closing_ || finished_) return;
  closing_ = true;
  peer_->close();  // SCTP SHUTDOWN, DTLS close_notify; on_closed reports CloseKind::local
}

void WebRtcConnection::set_idle_timeout(DurationUs timeout) {
  idle_timeout_ = timeout;
  loop_.cancel(idle_timer_);
  idle_timer_ = 0;
  if (timeout > 0) restart_idle_timer();
}

void WebRtcConnection::restart_idle_timer() {
  loop_.cancel(idle_timer_);
  idle_timer_ = loop_.run_after(idle_timeout_, [this] {
    idle_timer_ = 0;
    finish(CloseReason{CloseKind::timeout, "no data for the idle timeout", 0});
    peer_->close();
  });
}

void WebRtcConnection::finish(CloseReason reason) {
  if (finished_) return;
  finished_ = true;
  closing_ = true;
  loop_.cancel(idle_timer_);
  idle_timer_ = 0;
  undelivered_close_ = std::move(reason);
  // Always from the loop, never inside send()/close() (io::Connection contract).
  finish_timer_ = loop_.run_at(0, [this] {
    finish_timer_ = 0;
    deliver_close();
  });
}

void WebRtcConnection::deliver_close() {
  if (!undelivered_close_ || !on_close_) return;  // kept until the owner installs on_close
  CloseReason reason = std::move(*undelivered_close_);
  undelivered_close_.reset();
  CloseCallback cb = std::move(on_close_);
  cb(reason);
}

// ---------------------------------------------------------------------------------------------

RtcSession::RtcSession(RtcEngine& engine, std::unique_ptr<SignalingChannel> signaling, Callback callback)
    : engine_(engine), signaling_(std::move(signaling)), callback_(std::move(callback)) {}

std::unique_ptr<RtcSession> RtcSession::start(RtcEngine& engine, std::unique_ptr<SignalingChannel> signaling, Role role,
                                              Callback callback) {
  std::unique_ptr<RtcSession> session(new RtcSession(engine, std::move(signaling), std::move(callback)));
  RtcSession* s = session.get();
  s->role_ = role;
  s->signaling_->on_message([s](const SignalMessage& m) { s->on_signal(m); });
  s->signaling_->on_close([s](const Error&) {
    // Signaling may end once descriptions and candidates are through; the setup timeout of the
    // peer connection bounds a session that lost its signaling too early.
    if (!s->peer_) s->fail(make_error(Errc::closed, "signaling closed before an offer"), false);
  });
  // A session that never hears an offer (role answerer/either) is bounded too.
  s->timeout_ = engine.loop().run_after(engine.config().connect_timeout, [s] {
    s->timeout_ = 0;
    s->fail(make_error(Errc::timeout, "WebRTC signaling timed out"), true);
  });
  if (role == Role::offerer) {
    if (auto status = s->become_offerer(); !status.ok()) {
      Error error = status.error();
      engine.loop().post([weak = s->alive_.observer(), s, error] {
        if (!weak.expired()) s->fail(error, false);
      });
    }
  }
  return session;
}

RtcSession::~RtcSession() {
  alive_.expire();
  engine_.loop().cancel(timeout_);
}

Status RtcSession::make_peer() {
  PeerConnection::Callbacks cb;
  cb.on_signal = [this](const SignalMessage& m) {
    if (signaling_) (void)signaling_->send(m);
  };
  cb.on_data_channel = [this](std::shared_ptr<DataChannel> channel) {
    if (!channel_) adopt(std::move(channel));
  };
  cb.on_failed = [this](const Error& e) { fail(e, true); };
  cb.on_closed = [this] { fail(make_error(Errc::closed, "peer connection closed during setup"), false); };
  ZM_TRY(peer_, PeerConnection::create(engine_, std::move(cb)));
  return {};
}

Status RtcSession::become_offerer() {
  role_ = Role::offerer;
  ZM_CHECK(make_peer());
  DataChannelInit init;
  init.label = kLinkChannelLabel;
  init.protocol = kLinkChannelProtocol;
  ZM_TRY(channel_, peer_->create_data_channel(init));
  channel_->on_open([this] { adopt(channel_); });
  return peer_->create_offer();
}

void RtcSession::on_signal(const SignalMessage& message) {
  if (!callback_) return;
  if (message.type == SignalType::error) {
    fail(make_error(Errc::closed, "peer reported: " + message.message), false);
    return;
  }
  Status status;
  if (!peer_ && role_ != Role::offerer && message.type == SignalType::request_offer) {
    status = become_offerer();
  } else if (!peer_ && role_ != Role::offerer && message.type == SignalType::offer) {
    role_ = Role::answerer;
    status = make_peer();
    if (status.ok()) status = peer_->handle_signal(message);
  } else if (peer_ && message.type != SignalType::request_offer) {
    status = peer_->handle_signal(message);
  } else {
    status = make_error(Errc::protocol_violation, std::string("unexpected ") + signal_type_name(message.type));
  }
  if (!status.ok()) fail(status.error(), true);
}

void RtcSession::adopt(std::shared_ptr<DataChannel> channel) {
  if (!callback_ || !peer_) return;
  channel_ = std::move(channel);
  auto connection = std::make_unique<WebRtcConnection>(engine_.loop(), std::move(peer_), channel_);
  complete(std::unique_ptr<Connection>(std::move(connection)));
}

void RtcSession::fail(const Error& error, bool tell_peer) {
  if (!callback_) return;
  if (tell_peer && signaling_) (void)signaling_->send(SignalMessage::failure(error.message));
  complete(error);
}

void RtcSession::complete(Result<std::unique_ptr<Connection>> result) {
  if (!callback_) return;
  Callback cb = std::move(callback_);
  callback_ = nullptr;
  engine_.loop().cancel(timeout_);
  timeout_ = 0;
  // The signaling path is no longer needed; the peer connection (on failure) goes with us.
  std::shared_ptr<SignalingChannel> signaling = std::move(signaling_);
  std::shared_ptr<PeerConnection> peer = std::move(peer_);
  if (signaling) {
    signaling->on_message(nullptr);
    signaling->on_close(nullptr);
  }
  if (peer) peer->replace_callbacks({});
  engine_.loop().destroy_later(std::move(signaling));  // freed outside their own callbacks
  engine_.loop().destroy_later(std::move(peer));
  LifetimeObserver alive = alive_.observer();
  engine_.loop().post([alive, cb, result = std::make_shared<Result<std::unique_ptr<Connection>>>(std::move(result))]() mutable {
    if (!alive.expired()) cb(std::move(*result));
  });
}

}  // namespace zmesh::io::webrtc
