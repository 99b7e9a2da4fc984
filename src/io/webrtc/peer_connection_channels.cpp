// PeerConnection, second half: data channels over the SCTP association (RFC 8831 §6, DCEP
// RFC 8832 §6): stream id allocation, OPEN/ACK, message PPIDs, closing by stream reset.
#include "io/webrtc/peer_connection.hpp"

namespace zmesh::io::webrtc {
namespace {

constexpr std::uint16_t kMaxStreamId = 1024;  // = the SCTP streams we negotiate

SctpSendOptions send_options(const DataChannel& channel, bool acked) {
  SctpSendOptions o;
  // RFC 8832 §6: ordered delivery until the DATA_CHANNEL_ACK arrived.
  o.unordered = is_unordered(channel.type()) && acked;
  if (is_rexmit_limited(channel.type())) o.limit = SctpSendOptions::Limit::retransmits;
  if (is_time_limited(channel.type())) o.limit = SctpSendOptions::Limit::lifetime_ms;
  return o;
}

}  // namespace

Status DataChannel::send(ByteView message) {
  return send_with(message, message.empty() ? Ppid::binary_empty : Ppid::binary);
}

Status DataChannel::send_text(std::string_view text) {
  return send_with(as_bytes(text), text.empty() ? Ppid::string_empty : Ppid::string);
}

Status DataChannel::send_with(ByteView message, Ppid ppid) {
  if (owner_ == nullptr || state_ != State::open) return make_error(Errc::closed, "data channel is not open");
  return owner_->send_on(*this, ppid, message);
}

void DataChannel::close() {
  if (owner_ == nullptr || state_ == State::closing || state_ == State::closed) return;
  owner_->close_channel(*this, true);
}

Result<std::shared_ptr<DataChannel>> PeerConnection::create_data_channel(DataChannelInit init) {
  if (state_ == State::failed || state_ == State::closed || state_ == State::closing) {
    return make_error(Errc::closed, "peer connection is closed");
  }
  if (init.label.size() > 0xffff || init.protocol.size() > 0xffff) return make_error(Errc::too_large, "label too long");
  if (!is_rexmit_limited(init.type) && !is_time_limited(init.type)) init.reliability_parameter = 0;
  std::shared_ptr<DataChannel> channel(new DataChannel(this, std::move(init)));
  if (state_ == State::connected) {
    open_channel(channel);
  } else {
    pending_channels_.push_back(channel);
  }
  return channel;
}

std::optional<std::uint16_t> PeerConnection::allocate_stream() {
  // RFC 8832 §6: the DTLS client uses even stream identifiers, the server odd ones.
  std::uint16_t first = dtls_role_ == DtlsRole::client ? 0 : 1;
  for (std::uint16_t id = first; id < kMaxStreamId; id += 2) {
    if (!channels_.count(id)) return id;
  }
  return std::nullopt;
}

void PeerConnection::open_channel(const std::shared_ptr<DataChannel>& channel) {
  auto stream = allocate_stream();
  if (!stream) {
    channel->state_ = DataChannel::State::closed;
    return;
  }
  channel->stream_ = *stream;
  channel->stream_assigned_ = true;
  channels_[*stream] = channel;
  DcepOpen open;
  open.channel_type = channel->init_.type;
  open.priority = channel->init_.priority;
  open.reliability_parameter = channel->init_.reliability_parameter;
  open.label = channel->init_.label;
  open.protocol = channel->init_.protocol;
  if (!sctp_->send(*stream, Ppid::dcep, encode_dcep(open), {}).ok()) {
    channels_.erase(*stream);
    channel->state_ = DataChannel::State::closed;
  }
}

Status PeerConnection::send_on(DataChannel& channel, Ppid ppid, ByteView message) {
  if (!sctp_ || state_ != State::connected) return make_error(Errc::closed, "peer connection is not connected");
  if (message.size() > max_message_bytes()) {
    return make_error(Errc::too_large, "message of " + std::to_string(message.size()) + " bytes exceeds max-message-size " +
                                           std::to_string(max_message_bytes()));
  }
  SctpSendOptions options = send_options(channel, channel.acked_);
  options.limit_value = channel.init_.reliability_parameter;
  return sctp_->send(channel.stream_, ppid, message, options);
}

void PeerConnection::on_sctp_message(std::uint16_t stream, Ppid ppid, ByteView message) {
  if (ppid == Ppid::dcep) {
    on_dcep(stream, message);
    return;
  }
  auto it = channels_.find(stream);
  if (it == channels_.end()) return;  // data for a stream nobody opened: dropped (RFC 8832 §6)
  auto channel = it->second;
  if (channel->state_ != DataChannel::State::open || !channel->on_message_) return;
  switch (ppid) {
    case Ppid::binary: channel->on_message_(message, false); break;
    case Ppid::string: channel->on_message_(message, true); break;
    case Ppid::binary_empty: channel->on_message_({}, false); break;
    case Ppid::string_empty: channel->on_message_({}, true); break;
    default: break;  // deprecated partial PPIDs 52/54: not produced by current peers
  }
}

void PeerConnection::on_dcep(std::uint16_t stream, ByteView message) {
  auto decoded = decode_dcep(message);
  if (!decoded.ok()) return;  // a broken DCEP message opens nothing
  if (std::holds_alternative<DcepAck>(decoded.value())) {
    auto it = channels_.find(stream);
    if (it == channels_.end() || it->second->acked_) return;
    auto channel = it->second;
    channel->acked_ = true;
    channel->state_ = DataChannel::State::open;
    if (channel->on_open_) channel->on_open_();
    return;
  }
  const auto& open = std::get<DcepOpen>(decoded.value());
  // §6: the opener uses the parity of its DTLS role, which is the opposite of ours.
  bool peer_parity = (stream % 2 == 0) == (dtls_role_ == DtlsRole::server);
  if (channels_.count(stream) || !peer_parity || stream >= kMaxStreamId) return;
  DataChannelInit init;
  init.label = open.label;
  init.protocol = open.protocol;
  init.type = open.channel_type;
  init.priority = open.priority;
  init.reliability_parameter = open.reliability_parameter;
  std::shared_ptr<DataChannel> channel(new DataChannel(this, std::move(init)));
  channel->stream_ = stream;
  channel->stream_assigned_ = true;
  channel->acked_ = true;
  channel->state_ = DataChannel::State::open;
  channels_[stream] = channel;
  if (!sctp_->send(stream, Ppid::dcep, encode_dcep(DcepAck{}), {}).ok()) return;
  // Synchronously: messages that follow the OPEN in the same packet need the user's callbacks.
  if (callbacks_.on_data_channel) callbacks_.on_data_channel(channel);
}

void PeerConnection::close_channel(DataChannel& channel, bool reset_outgoing) {
  auto keep = channels_.count(channel.stream_) ? channels_[channel.stream_] : nullptr;
  if (!channel.stream_assigned_ || !sctp_ || state_ != State::connected) {
    channel.state_ = DataChannel::State::closed;
    return;
  }
  channel.state_ = DataChannel::State::closing;
  if (reset_outgoing) sctp_->reset_stream(channel.stream_);
}

void PeerConnection::on_incoming_reset(std::uint16_t stream) {
  auto it = channels_.find(stream);
  if (it == channels_.end()) return;
  auto channel = it->second;
  channels_.erase(it);
  // RFC 8831 §6.7: answer the peer's reset by resetting our outgoing stream too.
  if (channel->state_ != DataChannel::State::closing && sctp_) sctp_->reset_stream(stream);
  channel->state_ = DataChannel::State::closed;
  if (channel->on_closed_) channel->on_closed_();
}

}  // namespace zmesh::io::webrtc
