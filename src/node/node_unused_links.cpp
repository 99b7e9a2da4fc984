// NodeCore: closing links that no service uses (NodeConfig::unused_link_timeout).
//
// A DHT lookup dials the contacts it asks; without this, each of those links would stay open for
// good (keep-alives and heartbeats keep them alive), and after a while every node would be
// linked to most of the network: memory and heartbeats growing with the square of its size.
// Only the side that dialled a link closes it for being unused: it opened the link for its own
// purpose, and the other side cannot tell whether the dialler still wants it (a client keeps its
// link to a configured seed although it sends nothing for minutes).
#include <algorithm>

#include "node/node_core.hpp"

namespace zmesh::node {

void NodeCore::note_use(Connection& c, link::Channel channel, Now now) {
  if (channel_in_use_[channel]) c.last_used = now.mono;
}

void NodeCore::schedule_unused_check(const NodeId& id, Peer& peer, TimeUs at) {
  unschedule_unused_check(id, peer);
  peer.unused_check_at = at;
  unused_checks_.emplace(at, id);
}

void NodeCore::unschedule_unused_check(const NodeId& id, Peer& peer) {
  if (peer.unused_check_at != kNever) unused_checks_.erase({peer.unused_check_at, id});
  peer.unused_check_at = kNever;
}

bool NodeCore::link_still_needed(const NodeId& id, const Peer& peer) const {
  for (ConnectionId link : peer.links) {
    const Connection& c = *connections_.at(link);
    if (c.transport.direction == Direction::inbound || c.configured) return true;
  }
  for (const ConfiguredPeer& configured : configured_)
    if (configured.node_id == id) return true;
  if (links_.held(id) != 0) return true;
  return std::any_of(services_.begin(), services_.end(), [&](const Service* s) { return s->needs_link(id); });
}

void NodeCore::close_unused_links(Now now) {
  const DurationUs timeout = config_.unused_link_timeout;
  while (!unused_checks_.empty() && unused_checks_.begin()->first <= now.mono) {
    const NodeId id = unused_checks_.begin()->second;
    Peer& peer = peers_.at(id);  // an entry exists only while its peer does
    TimeUs last_used = 0;
    for (ConnectionId link : peer.links) last_used = std::max(last_used, connections_.at(link)->last_used);
    if (last_used + timeout > now.mono) {
      schedule_unused_check(id, peer, last_used + timeout);
      continue;
    }
    if (link_still_needed(id, peer)) {
      schedule_unused_check(id, peer, now.mono + timeout);
      continue;
    }
    unschedule_unused_check(id, peer);
    ++counters_.unused_links_closed;
    const std::vector<ConnectionId> links = peer.links;  // `peer` goes with the last one
    for (ConnectionId link : links) {
      auto it = connections_.find(link);
      if (it == connections_.end()) continue;
      it->second->link->close(now.mono, link::CloseReason::normal, "unused");
      drop(now, link, log::Level::debug, "closed: unused for " + std::to_string(timeout / kSecond) + " s");
    }
  }
}

}  // namespace zmesh::node
