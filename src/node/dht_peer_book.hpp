// The DHT's AddressBook over NodeCore (dht/address_book.hpp): one PeerHandle per NodeId, the
// NodeId a handle names is the one the link proved (authenticated_id), and the contact address
// the DHT resolved for a peer without a link. Messages go through the node's LinkManager, which
// holds them (bounded) and dials that address when the peer has no link; a peer it gives up on
// is counted here (dial_failures) and the DHT's request timeouts take over.
// Bounded: handles (idle ones are forgotten first).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "dht/address_book.hpp"
#include "node/service.hpp"

namespace zmesh::node {

struct DhtPeerLimits {
  std::size_t max_handles = 4096;  // NodeIds with a handle (idle ones are forgotten first)
};

struct DhtPeerCounters {
  std::uint64_t messages_sent = 0;  // handed to the LinkManager (sent, or held for a dial)
  std::uint64_t send_failures = 0;  // no handle, or refused by the LinkManager
  std::uint64_t dials = 0;          // sends that started a dial
  std::uint64_t dial_failures = 0;  // peers the LinkManager gave up (dial failed, timed out, ...)
};

class DhtPeerBook final : public dht::AddressBook {
 public:
  explicit DhtPeerBook(DhtPeerLimits limits) : limits_(limits) {}

  void attach(ServiceHost& host) { host_ = &host; }

  // --- dht::AddressBook ---
  std::optional<PeerHandle> resolve(const dht::Contact& contact) override;
  std::optional<NodeId> authenticated_id(PeerHandle peer) const override;

  // The handle of a peer that sent us something (assigned on first sight); nullopt when the
  // table is full of peers that cannot be forgotten yet.
  std::optional<PeerHandle> handle_of(const NodeId& id);
  // Sends a DHT message to the peer behind `handle` through the LinkManager (dialling the
  // address resolve() saw when it has no link).
  void send(Now now, link::Channel channel, PeerHandle handle, ByteView message);
  // The LinkManager gave the peer up (Service::on_peer_unreachable).
  void peer_unreachable() { ++counters_.dial_failures; }

  const DhtPeerCounters& counters() const { return counters_; }
  std::size_t handles() const { return by_id_.size(); }

 private:
  struct Entry {
    PeerHandle handle = 0;
    std::string dial_url;  // the contact address resolve() saw ("" when it had a link)
  };
  Entry* entry(const NodeId& id);
  Entry* make_entry(const NodeId& id);
  void forget_one_idle();

  DhtPeerLimits limits_;
  ServiceHost* host_ = nullptr;
  std::map<NodeId, Entry> by_id_;
  std::unordered_map<PeerHandle, NodeId> by_handle_;
  PeerHandle next_handle_ = 1;
  DhtPeerCounters counters_;
};

}  // namespace zmesh::node
