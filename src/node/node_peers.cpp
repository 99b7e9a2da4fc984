// NodeCore, part 2: peers (links that completed their handshake), duplicate links, dials and
// the configured peers kept connected with backoff.
#include <algorithm>

#include "node/node_core.hpp"

namespace zmesh::node {

void NodeCore::link_opened(Now now, Connection& c) {
  const NodeId id = *c.link->peer_id();
  c.link_up_at = now.mono;
  // Our handshake message 3 goes out before anything this may cause (a duplicate's close),
  // so that the peer sees the new link complete before it sees the old one go.
  flush(c);
  ++counters_.links_opened;
  if (c.configured) configured_[*c.configured].node_id = id;
  auto it = peers_.find(id);
  if (it == peers_.end() && peers_.size() >= config_.max_peers) {
    ++counters_.refused_peer_limit;
    c.link->close(now.mono, link::CloseReason::resource_limit, "peer limit reached");
    drop(now, c.id, log::Level::warn,
         "refused peer " + id.short_hex() + ": peer limit reached (" + std::to_string(config_.max_peers) + ")");
    return;
  }
  c.peer = id;
  c.last_used = now.mono;
  if (it != peers_.end()) {
    it->second.links.push_back(c.id);
    resolve_duplicates(now, c, it->second);
    return;
  }
  Peer& peer = peers_[id];
  peer.links = {c.id};
  peer.primary = c.id;
  if (config_.unused_link_timeout > 0) schedule_unused_check(id, peer, now.mono + config_.unused_link_timeout);
  log(log::Level::info, "peer up: " + id.hex() + " via " + c.transport.transport + " " +
                            direction_name(c.transport.direction) + " " + c.transport.remote);
  const PeerInfo info{id, c.transport.transport, c.transport.direction, c.transport.remote};
  links_.on_peer_up(now, id);  // what services had held for it leaves first
  for (Service* service : services_) service->on_peer_up(now, info);
}

// `a` is kept over `b` (both open links to the same NodeId). The link dialled by the lower
// NodeId wins; between links dialled by the same node, the newer one.
bool NodeCore::prefer(const Connection& a, const Connection& b) const {
  const NodeId& dialler_a = a.transport.direction == Direction::outbound ? self_.id : *a.peer;
  const NodeId& dialler_b = b.transport.direction == Direction::outbound ? self_.id : *b.peer;
  if (dialler_a != dialler_b) return dialler_a < dialler_b;
  if (a.link_up_at != b.link_up_at) return a.link_up_at > b.link_up_at;
  return a.id > b.id;
}

void NodeCore::choose_primary(Peer& peer) {
  peer.primary = *std::max_element(peer.links.begin(), peer.links.end(), [&](ConnectionId x, ConnectionId y) {
    return prefer(*connections_.at(y), *connections_.at(x));
  });
}

// `c` just joined peer.links: closes the links that lose against it (possibly `c` itself).
void NodeCore::resolve_duplicates(Now now, Connection& c, Peer& peer) {
  const NodeId id = *c.peer;
  std::vector<ConnectionId> losers;
  for (ConnectionId other_id : peer.links) {
    if (other_id == c.id) continue;
    const Connection& other = *connections_.at(other_id);
    const bool same_dialler = c.transport.direction == other.transport.direction;
    // Two links dialled by the peer: the peer keeps the newer and closes the older (the rule
    // below, applied on its side); until then we use the newer one.
    if (same_dialler && c.transport.direction == Direction::inbound) continue;
    losers.push_back(prefer(c, other) ? other_id : c.id);
  }
  std::sort(losers.begin(), losers.end());
  losers.erase(std::unique(losers.begin(), losers.end()), losers.end());
  // A peer that keeps opening links without closing any is bounded too: the least preferred go.
  std::vector<ConnectionId> remaining;
  for (ConnectionId link : peer.links)
    if (!std::binary_search(losers.begin(), losers.end(), link)) remaining.push_back(link);
  std::sort(remaining.begin(), remaining.end(),
            [&](ConnectionId x, ConnectionId y) { return prefer(*connections_.at(x), *connections_.at(y)); });
  while (remaining.size() > std::max<std::size_t>(config_.max_links_per_peer, 1)) {
    losers.push_back(remaining.back());
    remaining.pop_back();
  }
  peer.primary = remaining.front();
  for (ConnectionId loser : losers) {
    Connection& l = *connections_.at(loser);
    deliver_messages(now, l);  // whatever already arrived on it still counts
    ++counters_.duplicates_closed;
    l.link->close(now.mono, link::CloseReason::normal, "duplicate link");
    drop(now, loser, log::Level::info, "closed as a duplicate link to " + id.short_hex());
  }
}

void NodeCore::unlink_peer(Now now, Connection& c) {
  auto it = peers_.find(*c.peer);
  if (it == peers_.end()) return;
  auto& links = it->second.links;
  links.erase(std::remove(links.begin(), links.end(), c.id), links.end());
  if (!links.empty()) {
    choose_primary(it->second);
    return;
  }
  const NodeId id = *c.peer;
  unschedule_unused_check(id, it->second);
  peers_.erase(it);
  log(log::Level::info, "peer down: " + id.hex());
  links_.on_peer_down(now, id);
  for (Service* service : services_) service->on_peer_down(now, id);
}

// Bookkeeping once a connection is gone (already removed from connections_).
void NodeCore::connection_ended(Now now, Connection& c, std::string_view why) {
  if (c.peer) {
    unlink_peer(now, c);
  } else if (c.dialled_for && !is_up(*c.dialled_for)) {
    links_.on_connect_failed(now, *c.dialled_for, why);
    for (Service* service : services_) service->on_connect_failed(now, *c.dialled_for, why);
  }
  if (c.configured) {
    ConfiguredPeer& peer = configured_[*c.configured];
    if (peer.connection == c.id) {
      peer.connection.reset();
      if (c.link_up_at >= 0 && now.mono - c.link_up_at >= config_.backoff.reset_after) peer.failures = 0;
    }
  }
  reschedule_configured(now);
}

std::optional<DialId> NodeCore::start_dial(Now /*now*/, std::string url, std::optional<NodeId> expect,
                                           std::optional<std::size_t> configured) {
  if (dials_.size() >= config_.max_dials) return std::nullopt;
  const DialId dial = next_dial_++;
  dials_.emplace(dial, Dial{url, expect, configured});
  ++counters_.dials;
  push(DialUrl{dial, std::move(url)});
  return dial;
}

void NodeCore::on_dial_failed(Now now, DialId dial_id, std::string_view why) {
  auto it = dials_.find(dial_id);
  if (it == dials_.end()) return;
  const Dial dial = std::move(it->second);
  dials_.erase(it);
  ++counters_.dials_failed;
  std::string line = "dial " + dial.url + " failed: " + std::string(why);
  if (dial.configured) {
    ConfiguredPeer& peer = configured_[*dial.configured];
    peer.dial.reset();
    reschedule_configured(now);
    if (peer.next_dial_at != kNever) {
      line += "; next attempt in " + std::to_string((peer.next_dial_at - now.mono) / kMillisecond) + " ms";
    }
  }
  log(log::Level::info, line);
  if (dial.expect && !is_up(*dial.expect)) {
    links_.on_connect_failed(now, *dial.expect, why);
    for (Service* service : services_) service->on_connect_failed(now, *dial.expect, why);
  }
}

Result<bool> NodeCore::connect(Now now, const NodeId& peer, std::string_view url) {
  if (shutting_down_) return make_error(Errc::closed, "node is shutting down");
  if (peer == self_.id) return make_error(Errc::invalid_argument, "cannot connect to our own NodeId");
  if (is_up(peer)) return true;
  for (const auto& [id, dial] : dials_)
    if (dial.expect == peer) return false;
  for (const auto& [id, c] : connections_)
    if (!c->peer && c->dialled_for == peer) return false;
  if (handshakes_in_progress() + dials_.size() >= config_.max_handshakes) {
    return make_error(Errc::limit_exceeded, "too many handshakes and dials in progress");
  }
  if (!start_dial(now, std::string(url), peer, std::nullopt)) {
    return make_error(Errc::limit_exceeded, "too many dials in progress");
  }
  return false;
}

bool NodeCore::configured_connected(const ConfiguredPeer& p) const {
  return p.connection.has_value() || (p.node_id && is_up(*p.node_id));
}

void NodeCore::reschedule_configured(Now now) {
  if (shutting_down_ || !started_) return;
  for (auto& peer : configured_) {
    if (peer.dial || peer.next_dial_at != kNever || configured_connected(peer)) continue;
    peer.next_dial_at = now.mono + backoff_delay(config_.backoff, peer.failures, random_);
    if (peer.failures < 64) ++peer.failures;
  }
}

void NodeCore::dial_configured(Now now) {
  if (shutting_down_) return;
  for (std::size_t i = 0; i < configured_.size(); ++i) {
    ConfiguredPeer& peer = configured_[i];
    if (peer.next_dial_at > now.mono) continue;
    peer.next_dial_at = kNever;
    if (peer.dial || configured_connected(peer)) continue;
    if (handshakes_in_progress() + dials_.size() >= config_.max_handshakes) {
      peer.next_dial_at = now.mono + config_.backoff.initial_delay;  // busy: try again soon, not a failure
      continue;
    }
    peer.dial = start_dial(now, peer.url, std::nullopt, i);
    if (!peer.dial) peer.next_dial_at = now.mono + config_.backoff.initial_delay;
  }
}

}  // namespace zmesh::node
