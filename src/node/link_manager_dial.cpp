// LinkManager: dialling a peer that has no link, through a URL or its descriptor's addresses.
#include "node/link_manager.hpp"
#include "node/transport_url.hpp"

namespace zmesh::node {

void LinkManager::dial(Now now, const NodeId& peer, const DialVia& via) {
  if (!via.url.empty()) {
    dial_url(now, peer, via.url);
    return;
  }
  if (via.directory == nullptr) return;  // wait for the peer to link to us
  if (const NodeDescriptor* known = via.directory->descriptor(peer, now.unix_seconds())) {
    dial_descriptor(now, peer, *known);
    return;
  }
  LifetimeObserver alive = alive_.observer();
  via.directory->find_descriptor(now, peer, [this, alive, peer](Now at, Result<NodeDescriptor> found) {
    if (alive.expired() || find(peer) == nullptr) return;  // gone, or gave up meanwhile
    if (!found.ok() || !found->verify_for(peer, at.unix_seconds()).ok()) {
      ++counters_.descriptor_misses;
      give_up(at, peer, found.ok() ? "descriptor does not verify" : found.error().message);
      return;
    }
    dial_descriptor(at, peer, *found);
  });
}

void LinkManager::dial_url(Now now, const NodeId& peer, const std::string& url) {
  auto connected = host_.connect(now, peer, url);
  if (!connected.ok()) {
    give_up(now, peer, "dial " + url + ": " + connected.error().message);
    return;
  }
  ++counters_.dials;
  if (*connected) on_peer_up(now, peer);  // came up meanwhile
  // else on_peer_up or on_connect_failed follows
}

void LinkManager::dial_descriptor(Now now, const NodeId& peer, const NodeDescriptor& descriptor) {
  for (const TransportAddress& address : descriptor.addresses) {
    const std::string url = node::dial_url(address);
    if (url.empty()) continue;
    dial_url(now, peer, url);
    return;
  }
  ++counters_.descriptor_misses;
  give_up(now, peer, "no dialable address in its descriptor");
}

}  // namespace zmesh::node
