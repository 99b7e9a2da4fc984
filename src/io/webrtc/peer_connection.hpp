// An RTCPeerConnection restricted to data channels: offer/answer (RFC 8829 JSEP subset, one
// m=application section), trickle ICE, and the transport stack ICE → DTLS → SCTP under a set of
// DataChannels. Signaling is the caller's: every description and candidate to send comes out of
// on_signal, every one received goes into handle_signal.
//
// Failures (ICE failed, DTLS fingerprint mismatch, SCTP abort, setup timeout) are reported once
// through on_failed, from the event loop; so is a graceful end (on_closed).
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "io/webrtc/data_channel.hpp"
#include "io/webrtc/dtls_transport.hpp"
#include "io/webrtc/ice_transport.hpp"
#include "io/webrtc/rtc_engine.hpp"
#include "io/webrtc/sctp_transport.hpp"
#include "io/webrtc/sdp.hpp"
#include "io/webrtc/signal_message.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io::webrtc {

class PeerConnection {
 public:
  enum class State { idle, connecting, connected, closing, closed, failed };
  struct Callbacks {
    std::function<void(const SignalMessage& message)> on_signal;
    std::function<void(std::shared_ptr<DataChannel> channel)> on_data_channel;  // opened by the peer
    std::function<void()> on_connected;                                         // SCTP association up
    std::function<void(const Error& error)> on_failed;
    std::function<void()> on_closed;
  };

  static Result<std::unique_ptr<PeerConnection>> create(RtcEngine& engine, Callbacks callbacks);
  ~PeerConnection();
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;

  // Offerer: emits the offer, then candidates as they are gathered.
  Status create_offer();
  // offer (we answer), answer, candidate, end-of-candidates. Errors for bad input or state;
  // "error" and "request-offer" are for the signaling glue and refused here.
  Status handle_signal(const SignalMessage& message);
  // Opened once SCTP is up (stream ids depend on the DTLS role).
  Result<std::shared_ptr<DataChannel>> create_data_channel(DataChannelInit init);
  // Graceful: SCTP SHUTDOWN, then DTLS close_notify; on_closed follows.
  void close();

  State state() const { return state_; }
  bool is_offerer() const { return offerer_; }
  // The peer's a=max-message-size bounded by ours (0 = unlimited is mapped to ours).
  std::size_t max_message_bytes() const;
  std::string selected_pair() const { return ice_ ? ice_->selected_pair() : std::string(); }
  std::pair<std::string, std::string> selected_types() const {
    return ice_ ? ice_->selected_types() : std::pair<std::string, std::string>{};
  }
  std::uint64_t bytes_in() const { return ice_ ? ice_->bytes_in() : 0; }
  std::uint64_t bytes_out() const { return ice_ ? ice_->bytes_out() : 0; }
  std::size_t send_buffered_bytes() const { return sctp_ ? sctp_->queued_bytes() : 0; }
  void set_receive_paused(bool paused);
  void on_writable(std::function<void()> callback) { on_writable_ = std::move(callback); }
  // Hands the connection to a new owner (RtcSession → WebRtcConnection).
  void replace_callbacks(Callbacks callbacks) { callbacks_ = std::move(callbacks); }

 private:
  friend class DataChannel;
  PeerConnection(RtcEngine& engine, Callbacks callbacks);
  Status start_ice(bool controlling);
  Status apply_remote(const SdpDescription& remote);
  Status handle_offer(const std::string& sdp);
  Status handle_answer(const std::string& sdp);
  Status add_candidate(const std::string& line);
  SdpDescription local_description(DtlsSetup setup);
  void start_dtls();
  void start_sctp();
  void on_sctp_message(std::uint16_t stream, Ppid ppid, ByteView message);
  void on_dcep(std::uint16_t stream, ByteView message);
  void open_channel(const std::shared_ptr<DataChannel>& channel);
  Status send_on(DataChannel& channel, Ppid ppid, ByteView message);
  void close_channel(DataChannel& channel, bool reset_outgoing);
  void on_incoming_reset(std::uint16_t stream);
  std::optional<std::uint16_t> allocate_stream();
  void emit(const SignalMessage& message);
  void fail(Error error);
  void finish_closed();
  void report(std::function<void()> report);

  RtcEngine& engine_;
  Callbacks callbacks_;
  State state_ = State::idle;
  bool offerer_ = false;
  std::string session_id_;
  std::optional<SdpDescription> remote_;
  std::optional<DtlsRole> dtls_role_;
  std::deque<std::string> early_candidates_;  // trickled before the remote description
  bool early_end_of_candidates_ = false;
  std::unique_ptr<IceTransport> ice_;
  std::unique_ptr<DtlsTransport> dtls_;
  std::unique_ptr<SctpTransport> sctp_;
  std::deque<Bytes> early_datagrams_;  // DTLS from the peer before our ICE reported connected
  std::map<std::uint16_t, std::shared_ptr<DataChannel>> channels_;
  std::vector<std::shared_ptr<DataChannel>> pending_channels_;  // created before SCTP was up
  std::function<void()> on_writable_;
  EventLoop::TimerId setup_timer_ = 0;
  EventLoop::TimerId report_timer_ = 0;
  std::deque<std::function<void()>> reports_;
  LifetimeGuard alive_;
};

}  // namespace zmesh::io::webrtc
