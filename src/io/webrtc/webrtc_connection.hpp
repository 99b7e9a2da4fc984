// The WebRTC transport behind io::Connection (src/io/transport.hpp): one PeerConnection with one
// ordered, reliable data channel ("zmesh"), and RtcSession, which runs the offer/answer over a
// SignalingChannel until that channel is open and then hands the Connection over.
#pragma once

#include <deque>
#include <memory>
#include <optional>

#include "io/transport.hpp"
#include "io/webrtc/peer_connection.hpp"
#include "io/webrtc/signaling.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io::webrtc {

// The data channel the link layer rides on (label and sub-protocol in DCEP).
inline constexpr const char* kLinkChannelLabel = "zmesh";
inline constexpr const char* kLinkChannelProtocol = "zmesh.link.v1";

class WebRtcConnection final : public Connection {
 public:
  WebRtcConnection(EventLoop& loop, std::unique_ptr<PeerConnection> peer, std::shared_ptr<DataChannel> channel);
  ~WebRtcConnection() override;

  Status send(ByteView message) override;
  void close() override;
  void on_data(DataCallback callback) override;
  void on_close(CloseCallback callback) override;
  void on_writable(WritableCallback callback) override { on_writable_ = std::move(callback); }
  void set_idle_timeout(DurationUs timeout) override;
  void set_receive_paused(bool paused) override;
  // The remote end of the selected ICE candidate pair, "127.0.0.1:40002" (what per-address
  // limits key on).
  std::string remote_description() const override;
  // The whole selected pair: "127.0.0.1:40001 host <-> 127.0.0.1:40002 host".
  std::string candidate_pair() const { return peer_->selected_pair(); }
  const char* transport_name() const override { return "webrtc"; }
  std::uint64_t bytes_in() const override { return peer_->bytes_in(); }
  std::uint64_t bytes_out() const override { return peer_->bytes_out(); }
  std::size_t send_buffered_bytes() const override { return peer_->send_buffered_bytes(); }
  std::size_t max_message_bytes() const override { return peer_->max_message_bytes(); }

  PeerConnection& peer() { return *peer_; }

 private:
  void finish(CloseReason reason);
  void deliver_close();
  void restart_idle_timer();
  void deliver_early_messages();

  EventLoop& loop_;
  std::unique_ptr<PeerConnection> peer_;
  std::shared_ptr<DataChannel> channel_;
  DataCallback on_data_;
  CloseCallback on_close_;
  WritableCallback on_writable_;
  bool closing_ = false;
  bool finished_ = false;
  std::optional<CloseReason> undelivered_close_;
  // Messages that arrived before the owner installed on_data (bounded: receiving stays paused
  // until they are delivered from the loop).
  std::deque<Bytes> early_messages_;
  bool user_paused_ = false;
  EventLoop::TimerId early_timer_ = 0;
  DurationUs idle_timeout_ = 0;
  EventLoop::TimerId idle_timer_ = 0;
  EventLoop::TimerId finish_timer_ = 0;
  LifetimeGuard alive_;
};

class RtcSession {
 public:
  // offerer: we create the channel and offer. answerer: we wait for an offer. either: the first
  // message decides ("offer" → we answer, "request-offer" → we offer): what a node's signaling
  // endpoint does for browsers.
  enum class Role { offerer, answerer, either };
  using Callback = std::function<void(Result<std::unique_ptr<Connection>>)>;

  // The callback runs once, from the loop; destroying the session first cancels it.
  static std::unique_ptr<RtcSession> start(RtcEngine& engine, std::unique_ptr<SignalingChannel> signaling, Role role,
                                           Callback callback);
  ~RtcSession();

 private:
  RtcSession(RtcEngine& engine, std::unique_ptr<SignalingChannel> signaling, Callback callback);
  Status make_peer();
  Status become_offerer();
  void on_signal(const SignalMessage& message);
  void adopt(std::shared_ptr<DataChannel> channel);
  void complete(Result<std::unique_ptr<Connection>> result);
  void fail(const Error& error, bool tell_peer);

  RtcEngine& engine_;
  std::unique_ptr<SignalingChannel> signaling_;
  Callback callback_;
  Role role_ = Role::either;
  std::unique_ptr<PeerConnection> peer_;
  std::shared_ptr<DataChannel> channel_;
  EventLoop::TimerId timeout_ = 0;
  LifetimeGuard alive_;
};

}  // namespace zmesh::io::webrtc
