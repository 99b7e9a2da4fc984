#include "link/link.hpp"

namespace zmesh::link {

const char* link_state_name(LinkState state) {
  switch (state) {
    case LinkState::handshaking: return "handshaking";
    case LinkState::open: return "open";
    case LinkState::closed: return "closed";
    case LinkState::closed_by_peer: return "closed_by_peer";
    case LinkState::failed: return "failed";
  }
  return "unknown";
}

Link::Link(HandshakeRole role, const NodeIdentity& self, RandomSource& random, LinkConfig config, TimeUs now)
    : session_config_(config.session), handshake_(std::make_unique<Handshake>(role, self, random, std::move(config.handshake), now)) {}

Link Link::dial(const NodeIdentity& self, RandomSource& random, LinkConfig config, TimeUs now) {
  return Link(HandshakeRole::initiator, self, random, std::move(config), now);
}

Link Link::accept(const NodeIdentity& self, RandomSource& random, LinkConfig config, TimeUs now) {
  return Link(HandshakeRole::responder, self, random, std::move(config), now);
}

void Link::maybe_start_session(TimeUs now) {
  if (session_ || handshake_->status() != HandshakeStatus::complete) return;
  auto outcome = handshake_->take_outcome();
  if (outcome) session_.emplace(std::move(*outcome), session_config_, now);
}

Status Link::on_receive(TimeUs now, ByteView message) {
  if (local_error_) return *local_error_;
  if (session_) return session_->on_receive(now, message);
  const Status status = handshake_->on_receive(now, message);
  maybe_start_session(now);
  return status;
}

void Link::on_timeout(TimeUs now) {
  if (session_) {
    session_->on_timeout(now);
  } else {
    handshake_->on_timeout(now);
  }
}

TimeUs Link::next_deadline() const {
  if (local_error_) return kNever;
  return session_ ? session_->next_deadline() : handshake_->next_deadline();
}

std::optional<Bytes> Link::poll_transmit() {
  // Handshake message 3 must precede the initiator's first cells.
  if (handshake_) {
    if (auto message = handshake_->poll_transmit()) return message;
    // Its last message is out: an open link keeps only the session (the handshake's keys and
    // transcript are ~3 KB, and a node may hold hundreds of links).
    if (session_) handshake_.reset();
  }
  if (session_) return session_->poll_transmit();
  return std::nullopt;
}

std::optional<LinkMessage> Link::poll_message() { return session_ ? session_->poll_message() : std::nullopt; }

Status Link::send(TimeUs now, Channel channel, ByteView message) {
  if (!session_) return make_error(Errc::closed, "link not open (handshake in progress or failed)");
  return session_->send(now, channel, message);
}

Status Link::send_padding(TimeUs now) {
  if (!session_) return make_error(Errc::closed, "link not open (handshake in progress or failed)");
  return session_->send_padding(now);
}

void Link::close(TimeUs now, CloseReason reason, std::string_view text) {
  if (session_) {
    session_->close(now, reason, text);
  } else if (!local_error_ && handshake_->status() == HandshakeStatus::in_progress) {
    local_error_ = make_error(Errc::closed, "link closed during the handshake");
  }
}

LinkState Link::state() const {
  if (local_error_) return LinkState::failed;
  if (!session_) return handshake_->status() == HandshakeStatus::failed ? LinkState::failed : LinkState::handshaking;
  switch (session_->state()) {
    case SessionState::open: return LinkState::open;
    case SessionState::closed: return LinkState::closed;
    case SessionState::closed_by_peer: return LinkState::closed_by_peer;
    case SessionState::failed: return LinkState::failed;
  }
  return LinkState::failed;
}

const std::optional<Error>& Link::error() const {
  if (local_error_) return local_error_;
  return session_ ? session_->error() : handshake_->error();
}

std::optional<NodeId> Link::peer_id() const {
  if (session_) return session_->peer_id();
  return std::nullopt;
}

}  // namespace zmesh::link
