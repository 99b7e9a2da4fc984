#include "link/session.hpp"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace zmesh::link {
namespace {

std::size_t cells_for(std::size_t message_bytes) {
  return message_bytes == 0 ? 1 : (message_bytes + kCellPayloadBytes - 1) / kCellPayloadBytes;
}

TimeUs add_saturating(TimeUs t, DurationUs d) { return t > kNever - d ? kNever : t + d; }

}  // namespace

LinkSession::LinkSession(HandshakeOutcome outcome, SessionConfig config, TimeUs now)
    : config_(config),
      peer_id_(outcome.peer_id),
      session_id_(outcome.session_id),
      send_(std::move(outcome.send_key), kMaxCellsPerKey),
      receive_(std::move(outcome.receive_key), kMaxCellsPerKey),
      last_send_(now),
      last_receive_(now),
      send_key_since_(now) {
  if (config_.rekey_after_cells == 0 || config_.rekey_after_cells > kMaxCellsPerKey || config_.max_cells_per_transmit == 0)
    std::abort();  // programming error: a configuration the peer would reject
}

Status LinkSession::send(TimeUs now, Channel channel, ByteView message) {
  if (state_ != SessionState::open) return make_error(Errc::closed, "link session is not open");
  if (channel < kFirstAppChannel) return make_error(Errc::invalid_argument, "channels 0 and 1 belong to the link");
  if (message.size() > kMaxMessageBytes)
    return make_error(Errc::too_large, "link message of " + std::to_string(message.size()) + " bytes above 65536");
  const std::size_t cells = cells_for(message.size());
  if (outgoing_.size() + cells > config_.max_queued_cells)
    return make_error(Errc::limit_exceeded, "link send queue full");
  std::size_t offset = 0;
  for (std::size_t i = 0; i < cells; ++i) {
    const std::size_t take = std::min(kCellPayloadBytes, message.size() - offset);
    CellHeader header{channel, 0, static_cast<std::uint16_t>(take)};
    if (i == 0) header.flags |= kCellFlagBegin;
    if (i + 1 == cells) header.flags |= kCellFlagEnd;
    seal_cell(now, header, message.subspan(offset, take));
    offset += take;
  }
  ++counters_.messages_sent;
  return {};
}

Status LinkSession::send_padding(TimeUs now) {
  if (state_ != SessionState::open) return make_error(Errc::closed, "link session is not open");
  if (outgoing_.size() >= config_.max_queued_cells) return make_error(Errc::limit_exceeded, "link send queue full");
  seal_cell(now, CellHeader{kCellPadding, 0, 0}, {});
  return {};
}

void LinkSession::close(TimeUs now, CloseReason reason, std::string_view text) {
  if (state_ != SessionState::open) return;
  queue_close(now, reason, text);
  state_ = SessionState::closed;
}

// Rekeying (docs/protocol/link.md "Rekeying"): the sender marks the last cell under the old
// key with KEY_UPDATE and switches after sealing it; the receiver switches after opening it.
// Ordered delivery makes both sides agree on the boundary without any extra message.
void LinkSession::seal_cell(TimeUs now, CellHeader header, ByteView payload) {
  const bool rekey_due = send_.cells_under_key() + 1 >= config_.rekey_after_cells ||
                         now >= add_saturating(send_key_since_, config_.rekey_interval);
  if (rekey_due) header.flags |= kCellFlagKeyUpdate;
  outgoing_.push_back(send_.seal(encode_cell_plaintext(header, payload)));
  if (rekey_due) {
    send_.rekey();
    send_key_since_ = now;
    ++counters_.rekeys_sent;
  }
  last_send_ = now;
}

void LinkSession::queue_close(TimeUs now, CloseReason reason, std::string_view text) {
  Bytes payload;
  payload.push_back(static_cast<std::uint8_t>(reason));
  append(payload, as_bytes(text.substr(0, kMaxCloseTextBytes)));
  // A close may exceed max_queued_cells by one: it must always be able to leave.
  seal_cell(now, CellHeader{kCellClose, kCellFlagBegin | kCellFlagEnd, static_cast<std::uint16_t>(payload.size())},
            payload);
}

Status LinkSession::on_receive(TimeUs now, ByteView transport_message) {
  if (state_ == SessionState::failed) return *error_;
  if (state_ != SessionState::open) return {};  // closed: cells still in flight are dropped
  if (transport_message.empty() || transport_message.size() % kCellWireBytes != 0)
    return fail(now, make_error(Errc::malformed, "link transport message of " + std::to_string(transport_message.size()) +
                                                " bytes is not a whole number of 1024-byte cells"),
                CloseReason::protocol_violation);
  last_receive_ = now;
  for (std::size_t offset = 0; offset < transport_message.size() && state_ == SessionState::open;
       offset += kCellWireBytes) {
    auto plaintext = receive_.open(transport_message.subspan(offset, kCellWireBytes));
    if (!plaintext) return fail(now, plaintext.error(), CloseReason::protocol_violation);
    ++counters_.cells_received;
    counters_.bytes_received += kCellWireBytes;
    auto cell = decode_cell_plaintext(*plaintext);
    if (!cell) return fail(now, cell.error(), CloseReason::protocol_violation);
    ZM_CHECK(handle_cell(now, *cell));
    if (cell->header.flags & kCellFlagKeyUpdate) {
      receive_.rekey();
      ++counters_.rekeys_received;
    }
  }
  return {};
}

Status LinkSession::handle_cell(TimeUs now, const CellContent& cell) {
  const std::uint8_t framing = cell.header.flags & (kCellFlagBegin | kCellFlagEnd);
  switch (cell.header.type) {
    case kCellPadding:
      if (framing != 0 || cell.header.length != 0)
        return fail(now, make_error(Errc::malformed, "padding cell with framing flags or payload"),
                    CloseReason::protocol_violation);
      ++counters_.padding_cells_received;
      return {};
    case kCellClose:
      if (framing != (kCellFlagBegin | kCellFlagEnd) || cell.payload.empty())
        return fail(now, make_error(Errc::malformed, "malformed close cell"), CloseReason::protocol_violation);
      peer_close_ = PeerClose{cell.payload[0], std::string(cell.payload.begin() + 1, cell.payload.end())};
      state_ = SessionState::closed_by_peer;
      reassembly_channel_.reset();
      reassembly_.clear();
      return {};
    default:
      return handle_data(now, cell);
  }
}

// Fragment reassembly: BEGIN opens a message, END delivers it. Messages never interleave
// (a sender seals a whole message at once); only padding may sit between fragments.
Status LinkSession::handle_data(TimeUs now, const CellContent& cell) {
  const bool begin = cell.header.flags & kCellFlagBegin;
  const bool end = cell.header.flags & kCellFlagEnd;
  if (begin) {
    if (reassembly_channel_)
      return fail(now, make_error(Errc::protocol_violation, "new message began before the previous one ended"),
                  CloseReason::protocol_violation);
    reassembly_channel_ = cell.header.type;
    reassembly_.clear();
  } else if (!reassembly_channel_) {
    return fail(now, make_error(Errc::protocol_violation, "continuation cell without a message in progress"),
                CloseReason::protocol_violation);
  } else if (*reassembly_channel_ != cell.header.type) {
    return fail(now, make_error(Errc::protocol_violation, "continuation cell on another channel"),
                CloseReason::protocol_violation);
  }
  if (reassembly_.size() + cell.payload.size() > kMaxMessageBytes)
    return fail(now, make_error(Errc::too_large, "peer message above 65536 bytes"), CloseReason::protocol_violation);
  // A non-final cell that is not full would let a peer make us do 1 KiB of work per byte.
  if (!end && cell.payload.size() != kCellPayloadBytes)
    return fail(now, make_error(Errc::protocol_violation, "non-final fragment not full"), CloseReason::protocol_violation);
  append(reassembly_, cell.payload);
  if (!end) return {};

  if (delivered_.size() >= config_.max_delivered_messages ||
      delivered_bytes_ + reassembly_.size() > config_.max_delivered_bytes)
    return fail(now, make_error(Errc::limit_exceeded, "link receive queue full (messages not drained)"),
                CloseReason::resource_limit);
  delivered_bytes_ += reassembly_.size();
  delivered_.push_back(LinkMessage{*reassembly_channel_, std::move(reassembly_)});
  reassembly_ = Bytes();
  reassembly_channel_.reset();
  ++counters_.messages_received;
  return {};
}

void LinkSession::on_timeout(TimeUs now) {
  if (state_ != SessionState::open) return;
  if (now >= add_saturating(last_receive_, config_.idle_timeout)) {
    (void)fail(now, make_error(Errc::timeout, "link idle: nothing received for too long"), CloseReason::idle_timeout);
    return;
  }
  // A keep-alive or a due time-based rekey both go out as one padding cell (seal_cell adds
  // KEY_UPDATE when the key is old). It may exceed the queue bound by one, like a close.
  if (now >= add_saturating(last_send_, config_.keepalive_interval) ||
      now >= add_saturating(send_key_since_, config_.rekey_interval))
    seal_cell(now, CellHeader{kCellPadding, 0, 0}, {});
}

TimeUs LinkSession::next_deadline() const {
  if (state_ != SessionState::open) return kNever;
  return std::min({add_saturating(last_receive_, config_.idle_timeout),
                   add_saturating(last_send_, config_.keepalive_interval),
                   add_saturating(send_key_since_, config_.rekey_interval)});
}

std::optional<Bytes> LinkSession::poll_transmit() {
  if (outgoing_.empty()) return std::nullopt;
  const std::size_t cells = std::min(outgoing_.size(), config_.max_cells_per_transmit);
  Bytes out;
  out.reserve(cells * kCellWireBytes);
  for (std::size_t i = 0; i < cells; ++i) {
    append(out, outgoing_.front());
    outgoing_.pop_front();
  }
  counters_.cells_sent += cells;
  counters_.bytes_sent += out.size();
  return out;
}

std::optional<LinkMessage> LinkSession::poll_message() {
  if (delivered_.empty()) return std::nullopt;
  LinkMessage out = std::move(delivered_.front());
  delivered_.pop_front();
  delivered_bytes_ -= out.payload.size();
  return out;
}

Status LinkSession::fail(TimeUs now, Error error, CloseReason reason) {
  if (state_ == SessionState::open) queue_close(now, reason, error.message);
  state_ = SessionState::failed;
  error_ = error;
  reassembly_channel_.reset();
  reassembly_.clear();
  return error;
}

}  // namespace zmesh::link
