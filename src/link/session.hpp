// LinkSession: the established half of a link. Application messages (up to 64 KiB) go in,
// fixed-size encrypted cells come out, and the reverse on receive; keep-alives, idle
// timeout, rekeying and close are handled here. Sans-IO: the driver passes time in and polls
// transport messages and delivered messages out. See docs/protocol/link.md "Cells".
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "link/cell.hpp"
#include "link/handshake.hpp"
#include "runtime/time.hpp"
#include "util/result.hpp"

namespace zmesh::link {

inline constexpr std::size_t kMaxMessageBytes = 64 * 1024;
// A receiver refuses more cells than this under one key: a sender must rekey before.
inline constexpr std::uint64_t kMaxCellsPerKey = std::uint64_t{1} << 24;
inline constexpr std::size_t kMaxCloseTextBytes = 200;

struct SessionConfig {
  DurationUs keepalive_interval = 15 * kSecond;  // a padding cell when we sent nothing this long
  DurationUs idle_timeout = 60 * kSecond;        // fail when the peer sent nothing this long
  std::uint64_t rekey_after_cells = std::uint64_t{1} << 20;  // 1 GiB per key; <= kMaxCellsPerKey
  DurationUs rekey_interval = 600 * kSecond;
  std::size_t max_cells_per_transmit = 16;  // cells batched into one transport message (1 = datagram transports)
  std::size_t max_queued_cells = 1024;      // outgoing backlog (1 MiB); send() refuses beyond
  std::size_t max_delivered_messages = 256;
  std::size_t max_delivered_bytes = 4 * 1024 * 1024;
};

enum class CloseReason : std::uint8_t {
  normal = 0,
  shutting_down = 1,
  protocol_violation = 2,
  idle_timeout = 3,
  resource_limit = 4,
};

enum class SessionState { open, closed, closed_by_peer, failed };

struct PeerClose {
  std::uint8_t reason = 0;  // a CloseReason value (unknown values are kept as sent)
  std::string text;
};

struct LinkMessage {
  Channel channel = kFirstAppChannel;
  Bytes payload;
};

struct LinkCounters {
  std::uint64_t cells_sent = 0;  // handed to the transport by poll_transmit
  std::uint64_t cells_received = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t padding_cells_received = 0;
  std::uint64_t rekeys_sent = 0;
  std::uint64_t rekeys_received = 0;
};

class LinkSession {
 public:
  LinkSession(HandshakeOutcome outcome, SessionConfig config, TimeUs now);

  // Fragments and encrypts one message on an application channel (>= kFirstAppChannel).
  // too_large above kMaxMessageBytes; limit_exceeded when the outgoing queue lacks room
  // (nothing is queued then: the caller keeps the message and retries after draining).
  Status send(TimeUs now, Channel channel, ByteView message);
  // One padding cell (cover traffic); dropped by the receiver.
  Status send_padding(TimeUs now);
  // Sends a close cell and stops sending; incoming cells are then ignored.
  void close(TimeUs now, CloseReason reason, std::string_view text);

  // One whole transport message: a non-empty sequence of 1024-byte cells. Any error fails
  // the session (a close cell with the reason is queued for the peer).
  Status on_receive(TimeUs now, ByteView transport_message);
  void on_timeout(TimeUs now);
  TimeUs next_deadline() const;

  // Up to max_cells_per_transmit cells as one transport message.
  std::optional<Bytes> poll_transmit();
  std::optional<LinkMessage> poll_message();

  SessionState state() const { return state_; }
  const std::optional<Error>& error() const { return error_; }
  const std::optional<PeerClose>& peer_close() const { return peer_close_; }
  const LinkCounters& counters() const { return counters_; }
  const NodeId& peer_id() const { return peer_id_; }
  const crypto::Hash256& session_id() const { return session_id_; }
  std::size_t queued_cells() const { return outgoing_.size(); }

 private:
  void seal_cell(TimeUs now, CellHeader header, ByteView payload);
  Status handle_cell(TimeUs now, const CellContent& cell);
  Status handle_data(TimeUs now, const CellContent& cell);
  Status fail(TimeUs now, Error error, CloseReason reason);
  void queue_close(TimeUs now, CloseReason reason, std::string_view text);

  SessionConfig config_;
  SessionState state_ = SessionState::open;
  std::optional<Error> error_;
  std::optional<PeerClose> peer_close_;
  NodeId peer_id_;
  crypto::Hash256 session_id_{};
  CellCipher send_;
  CellCipher receive_;
  TimeUs last_send_;
  TimeUs last_receive_;
  TimeUs send_key_since_;
  std::deque<CellWire> outgoing_;
  // Reassembly of the message in progress (bounded by kMaxMessageBytes).
  std::optional<Channel> reassembly_channel_;
  Bytes reassembly_;
  std::deque<LinkMessage> delivered_;
  std::size_t delivered_bytes_ = 0;
  LinkCounters counters_;
};

}  // namespace zmesh::link
