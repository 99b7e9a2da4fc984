// One RTCDataChannel (RFC 8831 §6): an SCTP stream pair opened with DCEP (RFC 8832), ordered or
// not, fully or partially reliable. Owned by its PeerConnection; users hold a shared_ptr and
// get Errc::closed once the channel or its connection is gone.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "io/webrtc/dcep.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::io::webrtc {

class PeerConnection;

struct DataChannelInit {
  std::string label;
  std::string protocol;
  ChannelType type = ChannelType::reliable;
  // Max retransmissions (rexmit types) or lifetime in ms (timed types); 0 for reliable.
  std::uint32_t reliability_parameter = 0;
  std::uint16_t priority = 256;
};

class DataChannel {
 public:
  enum class State { connecting, open, closing, closed };
  using MessageCallback = std::function<void(ByteView message, bool is_text)>;

  const std::string& label() const { return init_.label; }
  const std::string& protocol() const { return init_.protocol; }
  ChannelType type() const { return init_.type; }
  std::uint16_t stream() const { return stream_; }
  State state() const { return state_; }
  bool is_open() const { return state_ == State::open; }

  // Binary (PPID 53/57) or text (51/56). Errc::too_large above the peer's max-message-size,
  // Errc::limit_exceeded when the send queue is full, Errc::closed unless open.
  Status send(ByteView message);
  Status send_text(std::string_view text);
  // RFC 8831 §6.7: resets the outgoing stream; the peer answers with its own reset.
  void close();

  void on_open(std::function<void()> callback) { on_open_ = std::move(callback); }
  void on_message(MessageCallback callback) { on_message_ = std::move(callback); }
  void on_closed(std::function<void()> callback) { on_closed_ = std::move(callback); }

 private:
  friend class PeerConnection;
  DataChannel(PeerConnection* owner, DataChannelInit init) : owner_(owner), init_(std::move(init)) {}
  Status send_with(ByteView message, Ppid ppid);

  PeerConnection* owner_;  // null once the connection is gone
  DataChannelInit init_;
  std::uint16_t stream_ = 0;
  bool stream_assigned_ = false;
  bool acked_ = false;  // RFC 8832 §6: ordered delivery until the ACK arrived
  State state_ = State::connecting;
  std::function<void()> on_open_;
  MessageCallback on_message_;
  std::function<void()> on_closed_;
};

}  // namespace zmesh::io::webrtc
