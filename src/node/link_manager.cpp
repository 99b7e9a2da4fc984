// LinkManager: held messages, flushing them when a link comes up or has room, and giving a
// peer up. Dialling is in link_manager_dial.cpp.
#include "node/link_manager.hpp"

#include <algorithm>
#include <vector>

namespace zmesh::node {

LinkManager::LinkManager(ServiceHost& host, LinkManagerConfig config) : host_(host), config_(config) {}

LinkManager::~LinkManager() { alive_.expire(); }

LinkManager::PeerQueue* LinkManager::find(const NodeId& peer) {
  auto it = peers_.find(peer);
  return it == peers_.end() ? nullptr : &it->second;
}

std::size_t LinkManager::held(const NodeId& peer) const {
  auto it = peers_.find(peer);
  return it == peers_.end() ? 0 : it->second.messages.size();
}

bool LinkManager::dialling(const NodeId& peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.dialling;
}

Result<SendOutcome> LinkManager::send(Now now, const NodeId& peer, link::Channel channel, ByteView message,
                                      const DialVia& via) {
  if (peer == host_.self_id()) return make_error(Errc::invalid_argument, "cannot send to our own NodeId");
  PeerQueue* queue = find(peer);
  const bool up = host_.is_up(peer);
  if (queue == nullptr && up) {
    const Status sent = host_.send(now, peer, channel, message);
    if (sent.ok()) {
      ++counters_.sent;
      return SendOutcome::sent;
    }
    // not_found: the link went in this very event (on_peer_down follows); limit_exceeded: full.
    if (sent.error().code != Errc::limit_exceeded && sent.error().code != Errc::not_found) {
      give_up(now, peer, sent.error().message, channel);
      return sent.error();
    }
  }
  if (queue == nullptr) {
    if (peers_.size() >= config_.max_waiting_peers) {
      give_up(now, peer, "too many peers waiting for a link", channel);
      return make_error(Errc::limit_exceeded, "too many peers waiting for a link");
    }
    queue = &peers_[peer];
  }
  if (queue->messages.size() >= config_.max_queued_per_peer) {
    give_up(now, peer, "too many messages waiting for the link", channel);
    return make_error(Errc::limit_exceeded, "too many messages waiting for the link to " + peer.short_hex());
  }
  queue->messages.push_back(Held{channel, Bytes(message.begin(), message.end())});
  ++counters_.held;
  if (up) {
    set_wait(peer, *queue, kNever);
    if (!queue->retry) {
      queue->retry = true;
      retry_.insert(peer);
    }
    next_retry_ = std::min(next_retry_, now.mono + config_.send_retry_interval);
    return SendOutcome::held;
  }
  if (queue->wait_deadline == kNever) set_wait(peer, *queue, now.mono + config_.link_wait_timeout);
  if (queue->dialling || (via.url.empty() && via.directory == nullptr)) return SendOutcome::held;
  queue->dialling = true;
  dial(now, peer, via);  // may give the peer up (queue gone) or find it up at once
  return SendOutcome::dialling;
}

void LinkManager::flush(Now now, const NodeId& peer) {
  PeerQueue* queue = find(peer);
  if (queue == nullptr) return;
  while (!queue->messages.empty()) {
    const Held& front = queue->messages.front();
    const Status sent = host_.send(now, peer, front.channel, front.message);
    if (!sent.ok()) {
      if (sent.error().code == Errc::limit_exceeded) {  // up but full: a retry soon, or on_peer_writable
        set_wait(peer, *queue, kNever);
        queue->dialling = false;
        if (!queue->retry) {
          queue->retry = true;
          retry_.insert(peer);
        }
        next_retry_ = std::min(next_retry_, now.mono + config_.send_retry_interval);
        return;
      }
      if (sent.error().code == Errc::not_found) return;  // not up (yet): on_peer_up follows
      give_up(now, peer, sent.error().message);
      return;
    }
    ++counters_.sent;
    queue->messages.pop_front();
  }
  forget(peer);
}

void LinkManager::set_wait(const NodeId& peer, PeerQueue& queue, TimeUs deadline) {
  if (queue.wait_deadline == deadline) return;
  if (queue.wait_deadline != kNever) waits_.erase({queue.wait_deadline, peer});
  queue.wait_deadline = deadline;
  if (deadline != kNever) waits_.emplace(deadline, peer);
}

void LinkManager::forget(const NodeId& peer) {
  auto it = peers_.find(peer);
  if (it == peers_.end()) return;
  set_wait(peer, it->second, kNever);
  if (it->second.retry) retry_.erase(peer);
  peers_.erase(it);
}

void LinkManager::give_up(Now now, const NodeId& peer, std::string_view why, link::Channel also) {
  std::vector<link::Channel> channels;
  if (also != 0) channels.push_back(also);
  if (PeerQueue* queue = find(peer)) {
    counters_.dropped += queue->messages.size();
    if (queue->dialling) ++counters_.dial_failures;
    for (const Held& held : queue->messages)
      if (std::find(channels.begin(), channels.end(), held.channel) == channels.end()) channels.push_back(held.channel);
    forget(peer);
  }
  ++counters_.peers_given_up;
  host_.log(log::Level::info, "links: cannot reach " + peer.short_hex() + ": " + std::string(why));
  if (!unreachable_) return;
  LifetimeObserver alive = alive_.observer();
  for (link::Channel channel : channels) {
    unreachable_(now, peer, channel, why);
    if (alive.expired()) return;
  }
}

void LinkManager::on_peer_up(Now now, const NodeId& peer) {
  if (PeerQueue* queue = find(peer)) {
    queue->dialling = false;
    set_wait(peer, *queue, kNever);
  }
  flush(now, peer);
}

void LinkManager::on_peer_writable(Now now, const NodeId& peer) { flush(now, peer); }

void LinkManager::on_peer_down(Now /*now*/, const NodeId& peer) {
  if (PeerQueue* queue = find(peer)) {
    counters_.dropped += queue->messages.size();
    forget(peer);
  }
}

void LinkManager::on_connect_failed(Now now, const NodeId& peer, std::string_view why) {
  if (find(peer) != nullptr && !host_.is_up(peer)) give_up(now, peer, why);
}

TimeUs LinkManager::next_deadline() const {
  return std::min(next_retry_, waits_.empty() ? kNever : waits_.begin()->first);
}

void LinkManager::on_timeout(Now now) {
  if (now.mono >= next_retry_) {
    next_retry_ = kNever;
    std::vector<NodeId> full(retry_.begin(), retry_.end());
    for (const NodeId& peer : full) {
      if (PeerQueue* queue = find(peer)) queue->retry = false;
      retry_.erase(peer);
      flush(now, peer);
    }
  }
  std::vector<NodeId> late;
  for (auto it = waits_.begin(); it != waits_.end() && it->first <= now.mono; ++it) late.push_back(it->second);
  for (const NodeId& peer : late) give_up(now, peer, "the link did not come up in time");
}

}  // namespace zmesh::node
