#include "node/dht_peer_book.hpp"

#include "node/link_manager.hpp"

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
  return &by_id_.emplace(id, Entry{handle, {}}).first->second;
}

void DhtPeerBook::forget_one_idle() {
  // A peer without a link and without messages held for it: an answer to a request still
  // pending to it would arrive under a new handle and be dropped, which the DHT treats as a timeout.
  for (auto it = by_id_.begin(); it != by_id_.end(); ++it) {
    if (host_->is_up(it->first) || host_->links().held(it->first) != 0) continue;
    by_handle_.erase(it->second.handle);
    by_id_.erase(it);
    return;
  }
}

std::optional<PeerHandle> DhtPeerBook::resolve(const dht::Contact& contact) {
  if (host_ == nullptr || contact.id == host_->self_id()) return std::nullopt;
  const bool up = host_->is_up(contact.id);
  // Only addresses we know how to dial; anything else ("unreachable:...") cannot be reached
  // until that node links to us.
  if (!up && contact.address.find("://") == std::string::npos) return std::nullopt;
  Entry* e = make_entry(contact.id);
  if (e == nullptr) return std::nullopt;
  if (!up) e->dial_url = contact.address;
  return e->handle;
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
  const Entry& e = by_id_.at(id->second);
  // A message the LinkManager cannot take is lost like a datagram would be, counted here, and
  // the DHT's request timeout and retry deal with it.
  const auto sent = host_->links().send(now, id->second, channel, message, DialVia{e.dial_url, nullptr});
  if (!sent.ok()) {
    ++counters_.send_failures;
    return;
  }
  ++counters_.messages_sent;
  if (*sent == SendOutcome::dialling) ++counters_.dials;
}

}  // namespace zmesh::node
