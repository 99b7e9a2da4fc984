#include "app/socks_session.hpp"

#include "util/log.hpp"

namespace zmesh::app {

using onion::Socks5State;
using onion::StreamEventKind;

SocksSession::SocksSession(OnionSessionOwner& owner, SessionId id, std::unique_ptr<io::TcpStream> socket)
    : owner_(owner), id_(id), socket_(std::move(socket)), socks_(owner.loop().now()) {}

SocksSession::~SocksSession() {
  if (timer_ != 0) owner_.loop().cancel(timer_);
  if (path_timer_ != 0) owner_.loop().cancel(path_timer_);
  if (!bridge_ && stream_ != 0) (void)owner_.service().reset(owner_.loop().core_now(), stream_, onion::StreamError::aborted);
}

void SocksSession::start() {
  socket_->set_idle_timeout(0);
  socket_->on_data([this](ByteView bytes) { on_client_bytes(bytes); });
  socket_->on_close([this](const io::CloseReason&) {
    socket_.reset();
    finished();
  });
  arm_handshake_timer();
}

void SocksSession::arm_handshake_timer() {
  if (timer_ != 0) owner_.loop().cancel(timer_);
  timer_ = 0;
  const TimeUs deadline = socks_.next_deadline();
  if (deadline == kNever) return;
  timer_ = owner_.loop().run_at(deadline, [this] {
    timer_ = 0;
    socks_.on_timeout(owner_.loop().now());
    if (socks_.state() == Socks5State::closed) fail_and_close();
  });
}

void SocksSession::arm_path_timer(DurationUs delay) {
  path_timer_ = owner_.loop().run_after(delay, [this] {
    path_timer_ = 0;
    check_path();
  });
}

void SocksSession::check_path() {
  if (stream_ == 0 || bridge_ || done_ || !owner_.service().stream_waiting(stream_)) return;
  const std::string& why = owner_.service().path_unavailable();
  if (why.empty()) {
    arm_path_timer(kNoPathRecheck);  // building (or about to): wait on, the pool may still fail
    return;
  }
  log::debug("onion", "SOCKS request refused after " + std::to_string(kNoPathWait / kSecond) + " s: no path: " + why);
  (void)owner_.service().reset(owner_.loop().core_now(), stream_, onion::StreamError::misc);
  stream_ = 0;
  owner_.drain().request();
  socks_.on_stream_failed(onion::StreamError::misc);
  fail_and_close();
}

void SocksSession::on_client_bytes(ByteView bytes) {
  if (!socks_.on_client_bytes(bytes).ok()) {
    fail_and_close();
    return;
  }
  if (auto target = socks_.take_connect_request()) {
    auto stream = owner_.service().open_stream(owner_.loop().core_now(), *target);
    if (!stream.ok()) {
      socks_.on_stream_failed(onion::StreamError::resource_limit);
    } else {
      stream_ = *stream;
      owner_.bind(stream_, id_);
      arm_path_timer(kNoPathWait);
    }
    owner_.drain().request();
  }
  flush_reply();
  if (socks_.state() == Socks5State::closed) fail_and_close();
  arm_handshake_timer();
}

void SocksSession::flush_reply() {
  Bytes out = socks_.take_output();
  if (!out.empty() && socket_) (void)socket_->write(out);
}

void SocksSession::fail_and_close() {
  flush_reply();
  if (stream_ != 0 && !bridge_) {
    (void)owner_.service().reset(owner_.loop().core_now(), stream_, onion::StreamError::aborted);
    stream_ = 0;
    owner_.drain().request();
  }
  if (socket_ && socket_->is_open()) socket_->close();  // flushes the reply first
}

void SocksSession::on_stream_event(const node::OnionStreamEvent& event) {
  if (bridge_) {
    bridge_->on_stream_event(event);
    return;
  }
  if (event.kind == StreamEventKind::connected) {
    socks_.on_stream_connected();
    flush_reply();
    arm_handshake_timer();
    if (!socket_) return;  // the client left meanwhile: the destructor resets the stream
    bridge_ = std::make_unique<OnionStreamBridge>(owner_.service(), stream_, std::move(socket_), owner_.drain(),
                                                  [this] { finished(); });
    bridge_->start(socks_.take_early_data());
  } else if (event.kind == StreamEventKind::open_failed || event.kind == StreamEventKind::reset) {
    stream_ = 0;  // gone: nothing to reset
    socks_.on_stream_failed(event.error);
    fail_and_close();
  }
}

void SocksSession::finished() {
  if (done_) return;
  done_ = true;
  owner_.session_done(id_);
}

}  // namespace zmesh::app
