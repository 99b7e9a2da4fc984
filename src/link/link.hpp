// Link: one peer connection from first handshake byte to close. Wraps a Handshake and, once
// it completes, a LinkSession, behind one sans-IO interface a driver (TCP / WebSocket
// connection, simulator node) can pump:
//
//   link.on_receive(now, message);          // every whole transport message from the peer
//   while (auto m = link.poll_transmit())   // every message to write to the transport
//   while (auto d = link.poll_message())    // every delivered application message
//   arm a timer for link.next_deadline(); on expiry link.on_timeout(now)
//   link.state() == failed / closed         // close the transport (after flushing)
#pragma once

#include <memory>
#include <optional>

#include "link/handshake.hpp"
#include "link/session.hpp"

namespace zmesh::link {

struct LinkConfig {
  HandshakeConfig handshake;
  SessionConfig session;
};

enum class LinkState { handshaking, open, closed, closed_by_peer, failed };

const char* link_state_name(LinkState state);

class Link {
 public:
  // `self` and `random` must outlive the Link. dial() queues handshake message 1.
  static Link dial(const NodeIdentity& self, RandomSource& random, LinkConfig config, TimeUs now);
  static Link accept(const NodeIdentity& self, RandomSource& random, LinkConfig config, TimeUs now);

  Status on_receive(TimeUs now, ByteView message);
  void on_timeout(TimeUs now);
  TimeUs next_deadline() const;
  std::optional<Bytes> poll_transmit();
  std::optional<LinkMessage> poll_message();

  // Only once open(); Errc::closed before or after.
  Status send(TimeUs now, Channel channel, ByteView message);
  Status send_padding(TimeUs now);
  // Before the handshake completes this just abandons it (state failed, Errc::closed).
  void close(TimeUs now, CloseReason reason, std::string_view text);

  LinkState state() const;
  bool is_open() const { return state() == LinkState::open; }
  const std::optional<Error>& error() const;
  // Set once the handshake completed.
  const LinkSession* session() const { return session_ ? &*session_ : nullptr; }
  LinkSession* session() { return session_ ? &*session_ : nullptr; }
  std::optional<NodeId> peer_id() const;

 private:
  Link(HandshakeRole role, const NodeIdentity& self, RandomSource& random, LinkConfig config, TimeUs now);
  void maybe_start_session(TimeUs now);

  SessionConfig session_config_;
  std::unique_ptr<Handshake> handshake_;  // until its last message is out once the session runs
  std::optional<LinkSession> session_;
  std::optional<Error> local_error_;  // abandoned before completion
};

}  // namespace zmesh::link
