#include "io/webrtc/sctp_transport.hpp"

#include <arpa/inet.h>
#include <usrsctp.h>

#include <cerrno>
#include <cstring>

#include "io/webrtc/usrsctp_runtime.hpp"

namespace zmesh::io::webrtc {
namespace {

// RFC 8261 §5: SCTP packets must fit one DTLS record inside a 1200-byte datagram
// (DtlsTransport's MTU) with room for the record header, nonce and AEAD tag.
constexpr std::uint32_t kSctpPathMtu = 1150;
constexpr std::uint16_t kMaxStreams = 1024;
constexpr int kMaxReadsPerRound = 256;  // then yield to the loop

void upcall(struct socket*, void* arg, int) { static_cast<SctpTransport*>(arg)->mark_events(); }

template <class T>
bool set_option(struct socket* s, int level, int name, const T& value) {
  return usrsctp_setsockopt(s, level, name, &value, sizeof value) == 0;
}

}  // namespace

SctpTransport::SctpTransport(EventLoop& loop, const SctpConfig& config, Callbacks callbacks)
    : loop_(loop), config_(config), callbacks_(std::move(callbacks)), receive_buffer_(64 * 1024) {}

Result<std::unique_ptr<SctpTransport>> SctpTransport::create(EventLoop& loop, const SctpConfig& config,
                                                             Callbacks callbacks) {
  ZM_TRY(auto runtime, UsrsctpRuntime::acquire(loop));
  std::unique_ptr<SctpTransport> t(new SctpTransport(loop, config, std::move(callbacks)));
  t->runtime_ = std::move(runtime);
  t->runtime_->add(t.get());
  usrsctp_register_address(t.get());
  t->socket_ = usrsctp_socket(AF_CONN, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
  if (t->socket_ == nullptr) return make_error(Errc::io_error, std::string("usrsctp_socket: ") + std::strerror(errno));
  ZM_CHECK(t->configure_socket());
  return t;
}

Status SctpTransport::configure_socket() {
  usrsctp_set_non_blocking(socket_, 1);
  usrsctp_set_upcall(socket_, &upcall, this);
  bool ok = true;
  // Closing aborts instead of lingering: shutdown() is the graceful path.
  linger no_linger{1, 0};
  ok = ok && set_option(socket_, SOL_SOCKET, SO_LINGER, no_linger);
  int buffer = static_cast<int>(std::max<std::size_t>(1 << 20, 2 * config_.max_receive_message_bytes));
  ok = ok && set_option(socket_, SOL_SOCKET, SO_RCVBUF, buffer);
  ok = ok && set_option(socket_, SOL_SOCKET, SO_SNDBUF, buffer);
  sctp_assoc_value reset{};
  reset.assoc_id = SCTP_FUTURE_ASSOC;
  reset.assoc_value = SCTP_ENABLE_RESET_STREAM_REQ;
  ok = ok && set_option(socket_, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, reset);
  int on = 1;
  ok = ok && set_option(socket_, IPPROTO_SCTP, SCTP_RECVRCVINFO, on);
  ok = ok && set_option(socket_, IPPROTO_SCTP, SCTP_NODELAY, on);
  for (std::uint16_t type : {SCTP_ASSOC_CHANGE, SCTP_STREAM_RESET_EVENT, SCTP_SENDER_DRY_EVENT}) {
    sctp_event event{};
    event.se_assoc_id = SCTP_FUTURE_ASSOC;
    event.se_on = 1;
    event.se_type = type;
    ok = ok && set_option(socket_, IPPROTO_SCTP, SCTP_EVENT, event);
  }
  sctp_initmsg init{};
  init.sinit_num_ostreams = kMaxStreams;
  init.sinit_max_instreams = kMaxStreams;
  ok = ok && set_option(socket_, IPPROTO_SCTP, SCTP_INITMSG, init);
  sctp_paddrparams path{};
  path.spp_assoc_id = SCTP_FUTURE_ASSOC;
  path.spp_flags = SPP_HB_ENABLE | SPP_PMTUD_DISABLE;
  path.spp_pathmtu = kSctpPathMtu;
  ok = ok && set_option(socket_, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, path);
  if (!ok) return make_error(Errc::io_error, std::string("usrsctp socket options: ") + std::strerror(errno));
  return {};
}

SctpTransport::~SctpTransport() {
  alive_.expire();
  loop_.cancel(events_timer_);
  if (socket_ != nullptr) {
    usrsctp_set_upcall(socket_, nullptr, nullptr);
    usrsctp_close(socket_);  // SO_LINGER 0: an ABORT goes out if the association is up
  }
  usrsctp_deregister_address(this);
  if (runtime_) runtime_->remove(this);
}

Status SctpTransport::start() {
  if (state_ != State::idle) return {};
  sockaddr_conn local{};
  local.sconn_family = AF_CONN;
  local.sconn_port = htons(config_.local_port);
  local.sconn_addr = this;
  if (usrsctp_bind(socket_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
    return make_error(Errc::io_error, std::string("usrsctp_bind: ") + std::strerror(errno));
  }
  sockaddr_conn remote = local;
  remote.sconn_port = htons(config_.remote_port);
  state_ = State::connecting;
  int r = usrsctp_connect(socket_, reinterpret_cast<sockaddr*>(&remote), sizeof remote);
  if (r != 0 && errno != EINPROGRESS) {
    state_ = State::failed;
    return make_error(Errc::io_error, std::string("usrsctp_connect: ") + std::strerror(errno));
  }
  return {};
}

void SctpTransport::on_packet(ByteView packet) {
  if (state_ == State::idle || state_ == State::closed || state_ == State::failed) return;
  usrsctp_conninput(this, packet.data(), packet.size(), 0);
  // A SACK may have freed send buffer: move queued messages on at once (usrsctp's write
  // upcall is not reliable enough to wait for).
  if (events_pending_ || !queue_.empty()) process_events();
}

void SctpTransport::output(ByteView packet) {
  if (callbacks_.send_packet) callbacks_.send_packet(packet);
}

void SctpTransport::mark_events() {
  // Called from inside usrsctp: only note it, and look from the loop (or right after the
  // usrsctp call that caused it returns).
  events_pending_ = true;
  if (events_timer_ != 0) return;
  events_timer_ = loop_.run_at(0, [this] {
    events_timer_ = 0;
    if (events_pending_) process_events();
  });
}

void SctpTransport::process_events() {
  events_pending_ = false;
  LifetimeObserver alive = alive_.observer();
  if (!receive_paused_) {
    bool more = read_some();
    if (alive.expired()) return;
    if (more) mark_events();  // yield: continue in the next loop round
  }
  if (state_ == State::connected && !queue_.empty()) flush_queue();
  if (alive.expired()) return;
  if (want_writable_ && queue_.empty() && state_ == State::connected) {
    want_writable_ = false;
    if (callbacks_.on_writable) callbacks_.on_writable();
  }
}

bool SctpTransport::read_some() {
  LifetimeObserver alive = alive_.observer();
  for (int round = 0; round < kMaxReadsPerRound; ++round) {
    if (state_ == State::closed || state_ == State::failed) return false;
    sctp_rcvinfo info{};
    socklen_t info_length = sizeof info;
    unsigned int info_type = 0;
    int flags = 0;
    sockaddr_conn from{};
    socklen_t from_length = sizeof from;
    ssize_t n = usrsctp_recvv(socket_, receive_buffer_.data(), receive_buffer_.size(), reinterpret_cast<sockaddr*>(&from),
                              &from_length, &info, &info_length, &info_type, &flags);
    if (n < 0) {
      if (errno == EWOULDBLOCK || errno == EAGAIN) return false;
      if (errno == ECONNRESET) {
        fail(make_error(Errc::closed, "SCTP association aborted by the peer"));
      } else {
        fail(make_error(Errc::io_error, std::string("usrsctp_recvv: ") + std::strerror(errno)));
      }
      return false;
    }
    if (n == 0) return false;  // EOF: the SHUTDOWN notification reports it
    ByteView chunk(receive_buffer_.data(), static_cast<std::size_t>(n));
    bool complete = (flags & MSG_EOR) != 0;
    if (flags & MSG_NOTIFICATION) {
      if (partial_notification_.size() + chunk.size() > 64 * 1024) {
        fail(make_error(Errc::too_large, "SCTP notification too large"));
        return false;
      }
      append(partial_notification_, chunk);
      if (!complete) continue;
      Bytes notification = std::move(partial_notification_);
      partial_notification_.clear();
      handle_notification(notification);
    } else {
      // RFC 8841 §6.1: the peer must not exceed our a=max-message-size.
      if (partial_message_.size() + chunk.size() > config_.max_receive_message_bytes) {
        fail(make_error(Errc::too_large, "peer sent a message above our max-message-size of " +
                                             std::to_string(config_.max_receive_message_bytes) + " bytes"));
        return false;
      }
      if (complete && partial_message_.empty()) {
        if (callbacks_.on_message) callbacks_.on_message(info.rcv_sid, static_cast<Ppid>(ntohl(info.rcv_ppid)), chunk);
      } else {
        append(partial_message_, chunk);
        if (!complete) continue;
        Bytes message = std::move(partial_message_);
        partial_message_.clear();
        if (callbacks_.on_message) callbacks_.on_message(info.rcv_sid, static_cast<Ppid>(ntohl(info.rcv_ppid)), message);
      }
    }
    if (alive.expired() || receive_paused_) return false;
  }
  return true;
}

void SctpTransport::handle_notification(ByteView bytes) {
  if (bytes.size() < 8) return;  // sn_type, sn_flags, sn_length: the common header
  sctp_notification n{};
  std::memcpy(&n, bytes.data(), std::min(bytes.size(), sizeof n));
  switch (n.sn_header.sn_type) {
    case SCTP_ASSOC_CHANGE: {
      const auto& change = n.sn_assoc_change;
      if (change.sac_state == SCTP_COMM_UP && state_ == State::connecting) {
        state_ = State::connected;
        if (callbacks_.on_connected) callbacks_.on_connected();
      } else if (change.sac_state == SCTP_COMM_LOST) {
        fail(make_error(Errc::closed, "SCTP association lost or aborted by the peer"));
      } else if (change.sac_state == SCTP_CANT_STR_ASSOC) {
        fail(make_error(Errc::closed, "SCTP association could not be established"));
      } else if (change.sac_state == SCTP_SHUTDOWN_COMP) {
        state_ = State::closed;
        if (callbacks_.on_closed) callbacks_.on_closed();
      }
      break;
    }
    case SCTP_STREAM_RESET_EVENT: {
      const auto& reset = n.sn_strreset_event;
      std::size_t count = (std::min<std::size_t>(bytes.size(), reset.strreset_length) - sizeof(sctp_stream_reset_event)) / 2;
      if (reset.strreset_flags & SCTP_STREAM_RESET_INCOMING_SSN) {
        const std::uint8_t* list = bytes.data() + sizeof(sctp_stream_reset_event);
        for (std::size_t i = 0; i < count; ++i) {
          std::uint16_t stream = 0;
          std::memcpy(&stream, list + 2 * i, 2);
          if (callbacks_.on_incoming_stream_reset) callbacks_.on_incoming_stream_reset(stream);
        }
      }
      try_resets();  // a reset request finished: the next one may go
      break;
    }
    case SCTP_SENDER_DRY_EVENT:
      if (shutdown_requested_ && queue_.empty() && state_ == State::connected) {
        state_ = State::closing;
        usrsctp_shutdown(socket_, SHUT_WR);
      }
      break;
    default:
      break;
  }
}

int SctpTransport::send_now(std::uint16_t stream, Ppid ppid, ByteView message, const SctpSendOptions& options) {
  sctp_sendv_spa spa{};
  spa.sendv_flags = SCTP_SEND_SNDINFO_VALID;
  spa.sendv_sndinfo.snd_sid = stream;
  spa.sendv_sndinfo.snd_ppid = htonl(static_cast<std::uint32_t>(ppid));
  spa.sendv_sndinfo.snd_flags = SCTP_EOR | (options.unordered ? SCTP_UNORDERED : 0);
  if (options.limit != SctpSendOptions::Limit::none) {
    spa.sendv_flags |= SCTP_SEND_PRINFO_VALID;
    spa.sendv_prinfo.pr_policy = options.limit == SctpSendOptions::Limit::retransmits ? SCTP_PR_SCTP_RTX : SCTP_PR_SCTP_TTL;
    spa.sendv_prinfo.pr_value = options.limit_value;
  }
  // RFC 8831 §6.6: an empty message is sent as one zero byte with the "empty" PPID.
  static const std::uint8_t zero = 0;
  const void* data = message.empty() ? &zero : message.data();
  std::size_t length = message.empty() ? 1 : message.size();
  ssize_t r = usrsctp_sendv(socket_, data, length, nullptr, 0, &spa, sizeof spa, SCTP_SENDV_SPA, 0);
  if (r >= 0) return 1;
  if (errno == EWOULDBLOCK || errno == EAGAIN) return 0;
  fail(make_error(Errc::io_error, std::string("usrsctp_sendv: ") + std::strerror(errno)));
  return -1;
}

Status SctpTransport::send(std::uint16_t stream, Ppid ppid, ByteView message, const SctpSendOptions& options) {
  if (state_ != State::connected || shutdown_requested_) return make_error(Errc::closed, "SCTP association is not open");
  if (queue_.empty()) {
    int r = send_now(stream, ppid, message, options);
    if (r > 0) return {};
    if (r < 0) return make_error(Errc::closed, "SCTP send failed");
  }
  if (queued_bytes_ + message.size() > config_.send_queue_bytes && !queue_.empty()) {
    want_writable_ = true;
    return make_error(Errc::limit_exceeded, "SCTP send queue full");
  }
  queue_.push_back(Pending{stream, ppid, Bytes(message.begin(), message.end()), options});
  queued_bytes_ += message.size();
  return {};
}

void SctpTransport::flush_queue() {
  while (!queue_.empty() && state_ == State::connected) {
    Pending& p = queue_.front();
    int r = send_now(p.stream, p.ppid, p.data, p.options);
    if (r <= 0) return;
    queued_bytes_ -= p.data.size();
    queue_.pop_front();
  }
  if (queue_.empty() && shutdown_requested_ && state_ == State::connected) {
    state_ = State::closing;
    usrsctp_shutdown(socket_, SHUT_WR);
  }
}

void SctpTransport::reset_stream(std::uint16_t stream) {
  if (state_ != State::connected) return;
  resets_.push_back(stream);
  try_resets();
}

void SctpTransport::try_resets() {
  while (!resets_.empty() && state_ == State::connected) {
    alignas(sctp_reset_streams) std::uint8_t raw[sizeof(sctp_reset_streams) + sizeof(std::uint16_t)] = {};
    auto* request = reinterpret_cast<sctp_reset_streams*>(raw);
    request->srs_assoc_id = SCTP_ALL_ASSOC;
    request->srs_flags = SCTP_STREAM_RESET_OUTGOING;
    request->srs_number_streams = 1;
    std::uint16_t stream = resets_.front();
    std::memcpy(raw + sizeof(sctp_reset_streams), &stream, sizeof stream);
    if (usrsctp_setsockopt(socket_, IPPROTO_SCTP, SCTP_RESET_STREAMS, raw, sizeof raw) != 0) {
      if (errno == EINPROGRESS || errno == EALREADY || errno == EBUSY) return;  // retried on the next reset event
      // Anything else (e.g. the peer does not support RE-CONFIG): the channel still closes locally.
    }
    resets_.pop_front();
  }
}

void SctpTransport::shutdown() {
  if (state_ != State::connected || shutdown_requested_) return;
  shutdown_requested_ = true;
  if (queue_.empty()) {
    state_ = State::closing;
    usrsctp_shutdown(socket_, SHUT_WR);
  }
}

void SctpTransport::set_receive_paused(bool paused) {
  if (receive_paused_ == paused) return;
  receive_paused_ = paused;
  if (!paused) mark_events();  // read what waited in usrsctp's buffer
}

void SctpTransport::fail(Error error) {
  if (state_ == State::failed || state_ == State::closed) return;
  state_ = State::failed;
  if (callbacks_.on_failed) callbacks_.on_failed(error);
}

}  // namespace zmesh::io::webrtc
