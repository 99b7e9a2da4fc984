#include "io/webrtc/peer_connection.hpp"

#include <algorithm>

namespace zmesh::io::webrtc {
namespace {

constexpr std::size_t kMaxEarlyCandidates = 64;
constexpr std::size_t kMaxEarlyDatagrams = 32;


}  // namespace

PeerConnection::PeerConnection(RtcEngine& engine, Callbacks callbacks)
    : engine_(engine), callbacks_(std::move(callbacks)) {}

Result<std::unique_ptr<PeerConnection>> PeerConnection::create(RtcEngine& engine, Callbacks callbacks) {
  std::unique_ptr<PeerConnection> pc(new PeerConnection(engine, std::move(callbacks)));
  pc->session_id_ = std::to_string(engine.random().next_u64() >> 2);
  return pc;
}

PeerConnection::~PeerConnection() {
  alive_.expire();
  engine_.loop().cancel(setup_timer_);
  engine_.loop().cancel(report_timer_);
  for (auto& [stream, channel] : channels_) channel->owner_ = nullptr;
  for (auto& channel : pending_channels_) channel->owner_ = nullptr;
  // Top of the stack first: SCTP's ABORT still finds DTLS and ICE underneath.
  sctp_.reset();
  dtls_.reset();
  ice_.reset();
}

void PeerConnection::report(std::function<void()> report) {
  reports_.push_back(std::move(report));
  if (report_timer_ != 0) return;
  report_timer_ = engine_.loop().run_at(0, [this] {
    report_timer_ = 0;
    LifetimeObserver alive = alive_.observer();
    while (!reports_.empty() && !alive.expired()) {
      auto next = std::move(reports_.front());
      reports_.pop_front();
      next();
    }
  });
}

void PeerConnection::emit(const SignalMessage& message) {
  report([this, message] {
    if (callbacks_.on_signal) callbacks_.on_signal(message);
  });
}

void PeerConnection::fail(Error error) {
  if (state_ == State::failed || state_ == State::closed) return;
  state_ = State::failed;
  engine_.loop().cancel(setup_timer_);
  setup_timer_ = 0;
  for (auto& [stream, channel] : channels_) channel->state_ = DataChannel::State::closed;
  report([this, error] {
    if (callbacks_.on_failed) callbacks_.on_failed(error);
  });
}

void PeerConnection::finish_closed() {
  if (state_ == State::failed || state_ == State::closed) return;
  state_ = State::closed;
  engine_.loop().cancel(setup_timer_);
  setup_timer_ = 0;
  if (dtls_) dtls_->close();
  for (auto& [stream, channel] : channels_) channel->state_ = DataChannel::State::closed;
  report([this] {
    if (callbacks_.on_closed) callbacks_.on_closed();
  });
}

Status PeerConnection::start_ice(bool controlling) {
  state_ = State::connecting;
  setup_timer_ = engine_.loop().run_after(engine_.config().connect_timeout, [this] {
    setup_timer_ = 0;
    fail(make_error(Errc::timeout, ice_ && ice_->state() == IceTransport::State::connected
                                       ? "WebRTC setup timed out after ICE connected (DTLS/SCTP)"
                                       : "WebRTC setup timed out: ICE did not connect"));
  });
  IceTransport::Callbacks ice;
  ice.on_local_candidate = [this](const IceCandidate& c) { emit(SignalMessage::ice_candidate(format_candidate(c), "0")); };
  ice.on_gathering_done = [this] { emit(SignalMessage::end_of_candidates()); };
  ice.on_connected = [this] { start_dtls(); };
  ice.on_failed = [this](const Error& e) { fail(e); };
  ice.on_datagram = [this](ByteView datagram) {
    if (dtls_) {
      dtls_->on_datagram(datagram);
    } else if (early_datagrams_.size() < kMaxEarlyDatagrams) {
      early_datagrams_.emplace_back(datagram.begin(), datagram.end());
    }
  };
  ZM_TRY(ice_, IceTransport::create(engine_.bridge(), engine_.config(), controlling, std::move(ice)));
  return {};
}

SdpDescription PeerConnection::local_description(DtlsSetup setup) {
  SdpDescription d;
  d.session_id = session_id_;
  d.mid = remote_ ? remote_->mid : "0";
  d.bundle = remote_ ? remote_->bundle : true;
  d.ice_ufrag = ice_->local_ufrag();
  d.ice_pwd = ice_->local_pwd();
  d.fingerprint = engine_.certificate()->fingerprint();
  d.setup = setup;
  d.sctp_port = kDefaultSctpPort;
  d.max_message_size = engine_.config().max_message_bytes;
  return d;
}

Status PeerConnection::create_offer() {
  if (state_ != State::idle) return make_error(Errc::invalid_argument, "create_offer: connection already started");
  offerer_ = true;
  ZM_CHECK(start_ice(true));
  // RFC 8842 §5.2: the offerer says actpass; the answerer picks the DTLS role.
  emit(SignalMessage::description(SignalType::offer, write_sdp(local_description(DtlsSetup::actpass))));
  return ice_->gather();
}

Status PeerConnection::handle_signal(const SignalMessage& message) {
  if (state_ == State::failed || state_ == State::closed) return make_error(Errc::closed, "peer connection is closed");
  switch (message.type) {
    case SignalType::offer: return handle_offer(message.sdp);
    case SignalType::answer: return handle_answer(message.sdp);
    case SignalType::candidate: return add_candidate(message.candidate);
    case SignalType::end_of_candidates:
      if (!remote_) {
        early_end_of_candidates_ = true;
      } else {
        ice_->remote_gathering_done();
      }
      return {};
    case SignalType::request_offer:
    case SignalType::error: break;
  }
  return make_error(Errc::invalid_argument, std::string("peer connection cannot handle ") + signal_type_name(message.type));
}

Status PeerConnection::handle_offer(const std::string& sdp) {
  if (state_ != State::idle) return make_error(Errc::protocol_violation, "offer after the connection started");
  ZM_TRY(SdpDescription remote, parse_sdp(sdp));
  // Our answer takes the DTLS client role unless the offerer insists on being active.
  dtls_role_ = remote.setup == DtlsSetup::active ? DtlsRole::server : DtlsRole::client;
  ZM_CHECK(start_ice(false));
  ZM_CHECK(apply_remote(remote));
  emit(SignalMessage::description(
      SignalType::answer, write_sdp(local_description(*dtls_role_ == DtlsRole::client ? DtlsSetup::active : DtlsSetup::passive))));
  return ice_->gather();
}

Status PeerConnection::handle_answer(const std::string& sdp) {
  if (!offerer_ || remote_) return make_error(Errc::protocol_violation, "unexpected answer");
  ZM_TRY(SdpDescription remote, parse_sdp(sdp));
  if (remote.setup == DtlsSetup::actpass) return make_error(Errc::protocol_violation, "answer with a=setup:actpass");
  dtls_role_ = remote.setup == DtlsSetup::active ? DtlsRole::server : DtlsRole::client;
  return apply_remote(remote);
}

Status PeerConnection::apply_remote(const SdpDescription& remote) {
  remote_ = remote;
  ZM_CHECK(ice_->set_remote_credentials(remote.ice_ufrag, remote.ice_pwd));
  for (const auto& candidate : remote.candidates) ZM_CHECK(ice_->add_remote_candidate(candidate));
  for (const auto& line : std::exchange(early_candidates_, {})) ZM_CHECK(add_candidate(line));
  if (remote.end_of_candidates || early_end_of_candidates_) ice_->remote_gathering_done();
  return {};
}

Status PeerConnection::add_candidate(const std::string& line) {
  if (!remote_) {
    if (early_candidates_.size() == kMaxEarlyCandidates) return make_error(Errc::limit_exceeded, "too many early candidates");
    early_candidates_.push_back(line);
    return {};
  }
  ZM_TRY(IceCandidate candidate, parse_candidate(line));
  return ice_->add_remote_candidate(candidate);
}

void PeerConnection::start_dtls() {
  if (dtls_ || state_ != State::connecting || !remote_ || !dtls_role_) return;
  DtlsTransport::Callbacks cb;
  cb.send_datagram = [this](ByteView datagram) { (void)ice_->send(datagram); };
  cb.on_connected = [this] { start_sctp(); };
  cb.on_data = [this](ByteView record) {
    if (sctp_) sctp_->on_packet(record);
  };
  cb.on_failed = [this](const Error& e) { fail(e); };
  cb.on_closed = [this] { finish_closed(); };
  auto dtls = DtlsTransport::create(engine_.loop(), engine_.certificate(), *dtls_role_, remote_->fingerprint, std::move(cb));
  if (!dtls.ok()) {
    fail(dtls.error());
    return;
  }
  dtls_ = std::move(dtls.value());
  dtls_->start();
  LifetimeObserver alive = alive_.observer();
  while (!early_datagrams_.empty() && !alive.expired() && dtls_) {
    Bytes datagram = std::move(early_datagrams_.front());
    early_datagrams_.pop_front();
    dtls_->on_datagram(datagram);
  }
}

void PeerConnection::start_sctp() {
  SctpConfig config;
  config.remote_port = remote_->sctp_port;
  config.max_receive_message_bytes = engine_.config().max_message_bytes;
  config.send_queue_bytes = engine_.config().send_buffer_bytes;
  SctpTransport::Callbacks cb;
  cb.send_packet = [this](ByteView packet) { (void)dtls_->send(packet); };
  cb.on_connected = [this] {
    state_ = State::connected;
    engine_.loop().cancel(setup_timer_);
    setup_timer_ = 0;
    for (auto& channel : std::exchange(pending_channels_, {})) open_channel(channel);
    report([this] {
      if (callbacks_.on_connected) callbacks_.on_connected();
    });
  };
  cb.on_message = [this](std::uint16_t stream, Ppid ppid, ByteView message) { on_sctp_message(stream, ppid, message); };
  cb.on_incoming_stream_reset = [this](std::uint16_t stream) { on_incoming_reset(stream); };
  cb.on_writable = [this] {
    if (on_writable_) on_writable_();
  };
  cb.on_failed = [this](const Error& e) { fail(e); };
  cb.on_closed = [this] { finish_closed(); };
  auto sctp = SctpTransport::create(engine_.loop(), config, std::move(cb));
  if (!sctp.ok()) {
    fail(sctp.error());
    return;
  }
  sctp_ = std::move(sctp.value());
  if (auto s = sctp_->start(); !s.ok()) fail(s.error());
}

std::size_t PeerConnection::max_message_bytes() const {
  std::size_t ours = engine_.config().max_message_bytes;
  if (!remote_ || remote_->max_message_size == 0) return ours;
  return static_cast<std::size_t>(std::min<std::uint64_t>(ours, remote_->max_message_size));
}

void PeerConnection::set_receive_paused(bool paused) {
  if (sctp_) sctp_->set_receive_paused(paused);
}

void PeerConnection::close() {
  if (state_ == State::closed || state_ == State::failed || state_ == State::closing) return;
  if (state_ != State::connected || !sctp_) {
    finish_closed();
    return;
  }
  state_ = State::closing;
  sctp_->shutdown();
  // Bounded: a peer that never completes SHUTDOWN is cut off.
  setup_timer_ = engine_.loop().run_after(2 * kSecond, [this] {
    setup_timer_ = 0;
    finish_closed();
  });
}

}  // namespace zmesh::io::webrtc
