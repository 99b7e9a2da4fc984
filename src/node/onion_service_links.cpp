// OnionService: getting cells to the neighbour they are for. A cell for a peer without a link
// waits (bounded) while the service finds the peer's address in the PeerDirectory and asks
// NodeCore to dial it; a full link queue is retried shortly. A peer that cannot be reached in
// time fails every circuit through it (OnionRelay::on_link_down), never silently.
#include "node/onion_service.hpp"
#include "node/transport_url.hpp"

namespace zmesh::node {

void OnionService::send_cell(Now now, const NodeId& to, Bytes cell) {
  auto it = queues_.find(to);
  if (it == queues_.end() && host_ != nullptr && host_->is_up(to)) {
    const Status sent = host_->send(now, to, kChannelOnion, cell);
    if (sent.ok()) return;
    if (sent.error().code != Errc::limit_exceeded && sent.error().code != Errc::not_found) {
      relay_.on_link_down(now, to);
      return;
    }
  }
  PeerQueue& queue = queues_[to];
  if (queue.cells.size() >= config_.max_queued_cells_per_peer) {
    give_up_peer(now, to, "too many cells waiting for the link");
    return;
  }
  queue.cells.push_back(std::move(cell));
  if (host_ != nullptr && host_->is_up(to)) {
    queue.waiting_since = kNever;
    next_retry_ = std::min(next_retry_, now.mono + config_.send_retry_interval);
  } else if (!queue.dialling) {
    request_link(now, to);
  }
}

void OnionService::flush_peer(Now now, const NodeId& peer) {
  auto it = queues_.find(peer);
  if (it == queues_.end() || host_ == nullptr) return;
  PeerQueue& queue = it->second;
  while (!queue.cells.empty()) {
    const Status sent = host_->send(now, peer, kChannelOnion, queue.cells.front());
    if (!sent.ok()) {
      if (sent.error().code == Errc::limit_exceeded) {
        queue.waiting_since = kNever;
        queue.dialling = false;
        next_retry_ = std::min(next_retry_, now.mono + config_.send_retry_interval);
        return;
      }
      if (sent.error().code == Errc::not_found) return;  // not up (yet): wait for on_peer_up
      give_up_peer(now, peer, sent.error().message);
      return;
    }
    queue.cells.pop_front();
  }
  queues_.erase(it);
}

void OnionService::flush_all_peers(Now now) {
  std::vector<NodeId> peers;
  for (const auto& [peer, queue] : queues_)
    if (host_ != nullptr && host_->is_up(peer)) peers.push_back(peer);
  for (const NodeId& peer : peers) flush_peer(now, peer);
}

void OnionService::request_link(Now now, const NodeId& peer) {
  PeerQueue& queue = queues_[peer];
  queue.dialling = true;
  queue.waiting_since = now.mono;
  if (const NodeDescriptor* known = directory_.descriptor(peer, now.unix_seconds())) {
    dial_descriptor(now, peer, *known);
    return;
  }
  LifetimeObserver alive = alive_.observer();
  directory_.find_descriptor(now, peer, [this, alive, peer](Now at, Result<NodeDescriptor> found) {
    if (alive.expired()) return;
    if (queues_.count(peer) == 0) return;  // gave up meanwhile
    if (!found.ok() || found->verify_for(peer, at.unix_seconds()).ok() == false) {
      ++counters_.descriptor_misses;
      give_up_peer(at, peer, found.ok() ? "descriptor does not verify" : found.error().message);
    } else {
      dial_descriptor(at, peer, *found);
    }
    run(at);
  });
}

void OnionService::dial_descriptor(Now now, const NodeId& peer, const NodeDescriptor& descriptor) {
  for (const TransportAddress& address : descriptor.addresses) {
    const std::string url = dial_url(address);
    if (url.empty()) continue;
    auto connected = host_->connect(now, peer, url);
    if (!connected.ok()) {
      give_up_peer(now, peer, "dial " + url + ": " + connected.error().message);
      return;
    }
    ++counters_.links_dialled;
    if (*connected) flush_peer(now, peer);
    return;  // on_peer_up or on_connect_failed follows
  }
  ++counters_.descriptor_misses;
  give_up_peer(now, peer, "no dialable address in its descriptor");
}

void OnionService::give_up_peer(Now now, const NodeId& peer, std::string_view why) {
  auto it = queues_.find(peer);
  if (it != queues_.end()) {
    counters_.cells_queued_dropped += it->second.cells.size();
    queues_.erase(it);
  }
  if (host_ != nullptr) host_->log(log::Level::info, "onion: cannot reach " + peer.short_hex() + ": " + std::string(why));
  relay_.on_link_down(now, peer);
}

void OnionService::expire_link_waits(Now now) {
  std::vector<NodeId> late;
  for (const auto& [peer, queue] : queues_)
    if (queue.waiting_since != kNever && now.mono >= queue.waiting_since + config_.link_wait_timeout) late.push_back(peer);
  for (const NodeId& peer : late) give_up_peer(now, peer, "the link did not come up in time");
}

}  // namespace zmesh::node
