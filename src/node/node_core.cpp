// NodeCore, part 1: transport events, the link of each connection, actions and logging.
// Peers, duplicates and dialling are in node_peers.cpp.
#include "node/node_core.hpp"

#include <algorithm>

namespace zmesh::node {

const char* direction_name(Direction direction) { return direction == Direction::inbound ? "inbound" : "outbound"; }

NodeCore::NodeCore(const NodeIdentity& self, RandomSource& random, NodeConfig config)
    : self_(self), random_(random), config_(std::move(config)), rate_limiter_(config_.handshake_rate) {
  config_.max_cells_per_send = std::max<std::size_t>(config_.max_cells_per_send, 1);
  for (const auto& url : config_.peers) configured_.push_back(ConfiguredPeer{url, {}, {}, {}, 0, kNever});
  links_.set_config(config_.links);
  links_.on_unreachable([this](Now now, const NodeId& peer, link::Channel channel, std::string_view why) {
    for (Service* service : services_)
      if (service->channel() == channel) service->on_peer_unreachable(now, peer, why);
  });
}

NodeCore::~NodeCore() = default;

Status NodeCore::add_service(Service& service) {
  if (started_) return make_error(Errc::invalid_argument, "services must be added before on_start");
  if (service.channel() < link::kFirstAppChannel) {
    return make_error(Errc::invalid_argument, std::string("service ") + service.name() + ": channel " +
                                                  std::to_string(service.channel()) + " belongs to the link");
  }
  for (const Service* other : services_) {
    if (other->channel() == service.channel()) {
      return make_error(Errc::invalid_argument, std::string("service ") + service.name() + ": channel " +
                                                    std::to_string(service.channel()) + " is taken by " + other->name());
    }
  }
  services_.push_back(&service);
  channel_in_use_[service.channel()] = service.messages_keep_links_in_use();
  service.on_attach(*this);
  return {};
}

void NodeCore::on_start(Now now) {
  if (started_) return;
  started_ = true;
  for (auto& peer : configured_) peer.next_dial_at = now.mono;
  dial_configured(now);
}

link::LinkConfig NodeCore::link_config(const std::optional<NodeId>& expected) const {
  link::LinkConfig config;
  config.handshake.prologue = config_.network;
  config.handshake.timeout = config_.handshake_timeout;
  config.handshake.expected_peer = expected;
  config.session.keepalive_interval = config_.keepalive_interval;
  config.session.idle_timeout = config_.idle_timeout;
  config.session.max_cells_per_transmit = config_.max_cells_per_send;
  return config;
}

void NodeCore::on_transport_opened(Now now, ConnectionId id, TransportOpened info) {
  if (connections_.count(id) != 0) {
    log(log::Level::error, "driver bug: connection id " + std::to_string(id) + " opened twice; ignored");
    return;
  }
  ++counters_.connections_opened;
  std::optional<Dial> dial;
  if (auto it = dials_.find(info.dial); info.dial != 0 && it != dials_.end()) {
    dial = std::move(it->second);
    dials_.erase(it);
  }
  if (shutting_down_) {
    push(CloseConnection{id});
    return;
  }
  if (info.direction == Direction::inbound) {
    if (handshakes_in_progress() >= config_.max_handshakes) {
      refuse(now, id, info, counters_.refused_handshake_limit,
             "too many handshakes in progress (" + std::to_string(config_.max_handshakes) + ")");
      return;
    }
    if (!rate_limiter_.allow(host_of(info.remote), now.mono)) {
      refuse(now, id, info, counters_.refused_rate_limited, "handshake rate limit for its address");
      return;
    }
  }
  auto c = std::make_unique<Connection>();
  c->id = id;
  c->opened_at = now.mono;
  if (dial) {
    c->configured = dial->configured;
    c->dialled_for = dial->expect;
    if (c->configured) {
      ConfiguredPeer& peer = configured_[*c->configured];
      peer.dial.reset();
      peer.connection = id;
    }
  }
  const link::LinkConfig config = link_config(c->dialled_for);
  c->link = std::make_unique<link::Link>(info.direction == Direction::outbound
                                             ? link::Link::dial(self_, random_, config, now.mono)
                                             : link::Link::accept(self_, random_, config, now.mono));
  c->transport = std::move(info);
  connections_.emplace(id, std::move(c));
  after_link_event(now, id);  // the initiator's message 1
}

void NodeCore::on_transport_data(Now now, ConnectionId id, ByteView message) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;  // closed by us; the driver may still have had bytes in hand
  Connection& c = *it->second;
  c.bytes_in += message.size();
  // A refused message fails the link for good; after_link_event reports and drops it.
  (void)c.link->on_receive(now.mono, message);
  after_link_event(now, id);
}

void NodeCore::on_transport_closed(Now now, ConnectionId id, std::string_view why) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  std::unique_ptr<Connection> owned = std::move(it->second);
  connections_.erase(it);
  disarm(*owned);
  const bool open = owned->peer.has_value();
  if (!open) ++counters_.handshake_failures;
  log(open ? log::Level::info : log::Level::warn,
      describe(*owned) + (open ? ": transport closed: " : ": transport closed during the handshake: ") + std::string(why));
  connection_ended(now, *owned, why);
}

void NodeCore::on_transport_blocked(ConnectionId id) {
  if (auto it = connections_.find(id); it != connections_.end()) it->second->blocked = true;
}

void NodeCore::on_transport_writable(Now now, ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  c.blocked = false;
  flush(c);
  // Services that were refused (limit_exceeded) may send again now, instead of polling.
  if (!c.peer) return;
  auto peer = peers_.find(*c.peer);
  if (peer == peers_.end() || peer->second.primary != id) return;
  const NodeId peer_id = *c.peer;
  links_.on_peer_writable(now, peer_id);
  for (Service* service : services_) service->on_peer_writable(now, peer_id);
}

// Everything that can follow a link event: the handshake completing, messages to deliver,
// failure or close, and transport messages to send.
void NodeCore::after_link_event(Now now, ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  Connection& c = *it->second;
  if (!c.peer && c.link->is_open()) {
    link_opened(now, c);
    if (connections_.count(id) == 0) return;  // refused (peer limit) or lost a duplicate race
  }
  if (c.peer) deliver_messages(now, c);
  switch (c.link->state()) {
    case link::LinkState::handshaking:
    case link::LinkState::open:
      flush(c);  // rearms
      return;
    case link::LinkState::failed: {
      const bool was_open = c.peer.has_value();
      ++(was_open ? counters_.links_failed : counters_.handshake_failures);
      const std::string error = c.link->error() ? c.link->error()->describe() : std::string("link failed");
      drop(now, id, log::Level::warn, (was_open ? "dropped: " : "dropped during the handshake: ") + error);
      return;
    }
    case link::LinkState::closed_by_peer: {
      std::string why = "closed by the peer";
      const link::LinkSession* session = c.link->session();
      if (session && session->peer_close()) {
        why += " (reason " + std::to_string(session->peer_close()->reason);
        if (!session->peer_close()->text.empty()) why += ": " + session->peer_close()->text;
        why += ")";
      }
      drop(now, id, log::Level::info, why);
      return;
    }
    case link::LinkState::closed:
      drop(now, id, log::Level::debug, "closed");
      return;
  }
}

void NodeCore::deliver_messages(Now now, Connection& c) {
  while (auto message = c.link->poll_message()) {
    auto service = std::find_if(services_.begin(), services_.end(),
                                [&](const Service* s) { return s->channel() == message->channel; });
    if (service == services_.end()) {
      ++counters_.unknown_channel_messages;  // a newer peer's service we do not run: not an offence
      continue;
    }
    note_use(c, message->channel, now);
    (*service)->on_message(now, *c.peer, message->payload);
  }
}

void NodeCore::flush(Connection& c) {
  c.unflushed = false;
  if (!c.blocked) {
    while (auto message = c.link->poll_transmit()) {
      c.bytes_out += message->size();
      push(SendBytes{c.id, std::move(*message)});
    }
  }
  rearm(c);
}

void NodeCore::rearm(Connection& c) {
  const TimeUs deadline = c.link->next_deadline();
  if (deadline == c.armed_at) return;
  disarm(c);
  c.armed_at = deadline;
  if (deadline != kNever) link_deadlines_.emplace(deadline, c.id);
}

void NodeCore::disarm(Connection& c) {
  if (c.armed_at != kNever) link_deadlines_.erase({c.armed_at, c.id});
  c.armed_at = kNever;
}

// A service's send: whole batches go out at once (a burst never fills the link queue while the
// transport has room); the rest waits for the driver's next poll_action, so that the messages
// of one event share SendBytes.
void NodeCore::flush_full_batches(Connection& c) {
  const link::LinkSession* session = c.link->session();
  while (!c.blocked && session != nullptr && session->queued_cells() >= config_.max_cells_per_send) {
    auto message = c.link->poll_transmit();
    if (!message) break;
    c.bytes_out += message->size();
    push(SendBytes{c.id, std::move(*message)});
  }
  rearm(c);
  if (!c.unflushed) {
    c.unflushed = true;
    unflushed_.push_back(c.id);
  }
}

void NodeCore::flush_pending() {
  std::vector<ConnectionId> ids;
  ids.swap(unflushed_);
  for (ConnectionId id : ids)
    if (auto it = connections_.find(id); it != connections_.end() && it->second->unflushed) flush(*it->second);
}

// Forgets a connection: what its link still has to send (a close cell) goes out first, then
// the CloseConnection, then one log line, then peers / services / configured peers learn of it.
void NodeCore::drop(Now now, ConnectionId id, log::Level level, const std::string& why) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  std::unique_ptr<Connection> owned = std::move(it->second);
  connections_.erase(it);
  Connection& c = *owned;
  disarm(c);
  c.blocked = false;  // the driver queues behind its backlog and flushes on close
  flush(c);
  push(CloseConnection{id});
  if (!why.empty()) log(level, describe(c) + ": " + why);
  connection_ended(now, c, why);
}

void NodeCore::refuse(Now now, ConnectionId id, const TransportOpened& info, std::uint64_t& counter,
                      std::string_view why) {
  ++counter;
  push(CloseConnection{id});
  // Floods are summarised: the first refusal of an interval is logged, the rest counted.
  if (refusal_window_start_ >= 0 && now.mono - refusal_window_start_ < config_.refusal_log_interval) {
    ++refusals_suppressed_;
    return;
  }
  std::string line = std::string("refused ") + info.transport + " " + direction_name(info.direction) + " " +
                     info.remote + ": " + std::string(why);
  if (refusals_suppressed_ > 0) line += " (and " + std::to_string(refusals_suppressed_) + " more refusals before)";
  log(log::Level::warn, line);
  refusal_window_start_ = now.mono;
  refusals_suppressed_ = 0;
}

std::string NodeCore::describe(const Connection& c) const {
  std::string out = c.peer ? "peer " + c.peer->short_hex() + " (" : std::string("connection (");
  out += c.transport.transport + " " + direction_name(c.transport.direction) + " " + c.transport.remote + ")";
  return out;
}

std::size_t NodeCore::handshakes_in_progress() const {
  return static_cast<std::size_t>(
      std::count_if(connections_.begin(), connections_.end(), [](const auto& entry) { return !entry.second->peer; }));
}

void NodeCore::on_timeout(Now now) {
  // Only the links due, from the ordered set; each rearms itself in after_link_event.
  std::vector<ConnectionId> due;
  for (auto it = link_deadlines_.begin(); it != link_deadlines_.end() && it->first <= now.mono; ++it)
    due.push_back(it->second);
  for (ConnectionId id : due) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    it->second->link->on_timeout(now.mono);
    after_link_event(now, id);
  }
  dial_configured(now);
  close_unused_links(now);
  if (links_.next_deadline() <= now.mono) links_.on_timeout(now);
  for (Service* service : services_)
    if (service->next_deadline() <= now.mono) service->on_timeout(now);
}

TimeUs NodeCore::next_deadline() const {
  // Links: the ordered set. Configured peers and services are few (and each service answers
  // in O(1) or O(log n)), so they are asked directly.
  TimeUs earliest = link_deadlines_.empty() ? kNever : link_deadlines_.begin()->first;
  for (const auto& peer : configured_) earliest = std::min(earliest, peer.next_dial_at);
  if (!unused_checks_.empty()) earliest = std::min(earliest, unused_checks_.begin()->first);
  earliest = std::min(earliest, links_.next_deadline());
  for (const Service* service : services_) earliest = std::min(earliest, service->next_deadline());
  return earliest;
}

void NodeCore::push(Action action) {
  if (std::holds_alternative<LogLine>(action)) ++queued_log_lines_;
  actions_.push_back(std::move(action));
}

std::optional<Action> NodeCore::poll_action() {
  if (!unflushed_.empty()) flush_pending();
  if (actions_.empty()) return std::nullopt;
  Action action = std::move(actions_.front());
  actions_.pop_front();
  if (std::holds_alternative<LogLine>(action)) --queued_log_lines_;
  return action;
}

void NodeCore::log(log::Level level, std::string text) {
  if (level < config_.log_level) return;
  if (queued_log_lines_ >= config_.max_log_lines) {
    ++counters_.log_lines_dropped;
    ++log_lines_dropped_unreported_;
    return;
  }
  if (log_lines_dropped_unreported_ > 0 && queued_log_lines_ + 1 < config_.max_log_lines) {
    push(LogLine{log::Level::warn, std::to_string(log_lines_dropped_unreported_) + " log lines dropped (log queue full)"});
    log_lines_dropped_unreported_ = 0;
  }
  push(LogLine{level, std::move(text)});
}

Status NodeCore::send(Now now, const NodeId& peer, link::Channel channel, ByteView message) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return make_error(Errc::not_found, "no link to " + peer.short_hex());
  Connection& c = *connections_.at(it->second.primary);
  ZM_CHECK(c.link->send(now.mono, channel, message));
  note_use(c, channel, now);
  flush_full_batches(c);
  return {};
}

std::vector<PeerStats> NodeCore::peer_stats(Now now) const {
  std::vector<PeerStats> out;
  out.reserve(peers_.size());
  for (const auto& [id, peer] : peers_) {
    const Connection& c = *connections_.at(peer.primary);
    PeerStats stats;
    stats.node_id = id;
    stats.connection = c.id;
    stats.transport = c.transport.transport;
    stats.direction = c.transport.direction;
    stats.remote = c.transport.remote;
    stats.bytes_in = c.bytes_in;
    stats.bytes_out = c.bytes_out;
    if (const link::LinkSession* session = c.link->session()) {
      stats.cells_in = session->counters().cells_received;
      stats.cells_out = session->counters().cells_sent;
    }
    stats.connected_for = now.mono - c.link_up_at;
    stats.links = peer.links.size();
    out.push_back(std::move(stats));
  }
  return out;
}

void NodeCore::shutdown(Now now) {
  if (shutting_down_) return;
  shutting_down_ = true;
  log(log::Level::info, "shutting down: closing " + std::to_string(connections_.size()) + " connections");
  std::vector<ConnectionId> ids;
  for (const auto& [id, c] : connections_) ids.push_back(id);
  for (ConnectionId id : ids) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    it->second->link->close(now.mono, link::CloseReason::shutting_down, "node shutting down");
    drop(now, id, log::Level::debug, "closed: shutting down");
  }
  dials_.clear();
  for (auto& peer : configured_) {
    peer.dial.reset();
    peer.next_dial_at = kNever;
  }
}

}  // namespace zmesh::node
