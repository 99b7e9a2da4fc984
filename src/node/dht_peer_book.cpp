#include "node/dht_peer_book.hpp"

#include <algorithm>


namespace zmesh::node {

DhtPeerBook::Entry* DhtPeerBook::entry(const NodeId& id) {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &it->second;
}

DhtPeerBook::Entry* DhtPeerBook::make_entry(const NodeId& id) {
  if (Entry* e = entry(id)) return e;
  if (by_id_.size() >= limits_.max_handles) forget_one_idle();
  if (by_id_.size() >= limits_.max_handles) return nullptr;
  const PeerHandle handle = next_handle_++;
  by_handle_.emplace(handle, id);
  return &by_id_.emplace(id, Entry{handle, false, {}, {}}).first->second;
}

void DhtPeerBook::forget_one_idle() {
  // A peer without a link and without a dial in progress: an answer to a request still pending
  // to it would arrive under a new handle and be dropped, which the DHT treats as a timeout.
  for (auto it = by_id_.begin(); it != by_id_.end(); ++it) {
    if (it->second.dialling || host_->is_up(it->first)) continue;
    by_handle_.erase(it->second.handle);
    by_id_.erase(it);
    return;
  }
}

std::size_t DhtPeerBook::dialling() const {
  return static_cast<std::size_t>(
      std::count_if(by_id_.begin(), by_id_.end(), [](const auto& e) { return e.second.dialling; }));
}

std::optional<PeerHandle> DhtPeerBook::resolve(const dht::Contact& contact) {
  if (host_ == nullptr || contact.id == host_->self_id()) return std::nullopt;
  if (host_->is_up(contact.id)) {
    Entry* e = make_entry(contact.id);
    return e ? std::optional<PeerHandle>(e->handle) : std::nullopt;
  }
  if (Entry* e = entry(contact.id); e && e->dialling) return e->handle;
  // Only addresses we know how to dial; anything else ("unreachable:...") cannot be reached
  // until that node links to us.
  if (contact.address.find("://") == std::string::npos) return std::nullopt;
  if (dialling() >= limits_.max_dialling) return std::nullopt;
  Entry* e = make_entry(contact.id);
  if (e == nullptr) return std::nullopt;
  e->dialling = true;  // messages queue from now on; start_dials() dials it
  e->dial_url = contact.address;
  to_dial_.push_back(contact.id);
  return e->handle;
}

void DhtPeerBook::start_dials(Now now, link::Channel channel) {
  std::vector<NodeId> ids;
  ids.swap(to_dial_);
  for (const NodeId& id : ids) {
    Entry* e = entry(id);
    if (e == nullptr || e->dial_url.empty()) continue;
    const std::string url = std::move(e->dial_url);
    e->dial_url.clear();
    auto connected = host_->connect(now, id, url);
    if (!connected.ok()) {
      dial_failed(*e);
      continue;
    }
    if (connected.value()) {
      peer_up(now, channel, id);  // came up meanwhile: what queued goes out now
      continue;
    }
    ++counters_.dials;
  }
}

void DhtPeerBook::dial_failed(Entry& e) {
  ++counters_.dial_failures;
  counters_.queued_dropped += e.queued.size();
  e.queued.clear();
  e.dialling = false;
  e.dial_url.clear();
}

std::optional<NodeId> DhtPeerBook::authenticated_id(PeerHandle peer) const {
  auto it = by_handle_.find(peer);
  if (it == by_handle_.end()) return std::nullopt;
  return it->second;
}

std::optional<PeerHandle> DhtPeerBook::handle_of(const NodeId& id) {
  Entry* e = make_entry(id);
  return e ? std::optional<PeerHandle>(e->handle) : std::nullopt;
}

void DhtPeerBook::send(Now now, link::Channel channel, PeerHandle handle, ByteView message) {
  auto id = by_handle_.find(handle);
  if (id == by_handle_.end()) {
    ++counters_.send_failures;
    return;
  }
  Entry& e = by_id_.at(id->second);
  if (e.dialling && !host_->is_up(id->second)) {
    if (e.queued.size() >= limits_.max_queued_per_peer) {
      ++counters_.send_failures;
      return;
    }
    e.queued.emplace_back(message.begin(), message.end());
    return;
  }
  // A full link queue or a link that just went: the message is lost like a datagram would be,
  // counted here, and the DHT's request timeout and retry deal with it.
  if (host_->send(now, id->second, channel, message).ok()) {
    ++counters_.messages_sent;
  } else {
    ++counters_.send_failures;
  }
}

void DhtPeerBook::peer_up(Now now, link::Channel channel, const NodeId& id) {
  Entry* e = entry(id);
  if (e == nullptr) return;
  e->dialling = false;
  std::deque<Bytes> queued = std::move(e->queued);
  e->queued.clear();
  for (const auto& message : queued) send(now, channel, e->handle, message);
}

void DhtPeerBook::peer_gone(const NodeId& id) {
  Entry* e = entry(id);
  if (e == nullptr) return;
  if (e->dialling) {
    dial_failed(*e);
    return;
  }
  counters_.queued_dropped += e->queued.size();
  e->queued.clear();
}

}  // namespace zmesh::node
