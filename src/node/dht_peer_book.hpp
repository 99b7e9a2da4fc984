// The DHT's AddressBook over NodeCore (dht/address_book.hpp): one PeerHandle per NodeId, the
// NodeId a handle names is the one the link proved (authenticated_id), and a contact resolved
// while it has no link is dialled on demand with ServiceHost::connect, authenticating it as the
// contact's NodeId. resolve() runs inside DhtNode calls, which carry no ServiceHost time, so it
// only marks the dial; start_dials(now) makes it right after (DhtService::after_dht). Messages
// for a peer whose link is still being set up wait in a small per-peer queue; when the dial
// fails they are dropped (counted) and the DHT's request timeouts take over.
// Bounded: handles, queued messages per peer, peers being dialled.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <unordered_map>

#include "dht/address_book.hpp"
#include "node/service.hpp"

namespace zmesh::node {

struct DhtPeerLimits {
  std::size_t max_handles = 4096;         // NodeIds with a handle (idle ones are forgotten first)
  std::size_t max_queued_per_peer = 32;   // messages waiting for a link being dialled
  std::size_t max_dialling = 32;          // peers being dialled for the DHT at once
};

struct DhtPeerCounters {
  std::uint64_t messages_sent = 0;
  std::uint64_t send_failures = 0;      // link queue full, link gone, queue full, no handle
  std::uint64_t dials = 0;              // connect() calls that started a dial
  std::uint64_t dial_failures = 0;      // dials refused at once or failed later
  std::uint64_t queued_dropped = 0;     // messages dropped because their peer's dial failed
};

class DhtPeerBook final : public dht::AddressBook {
 public:
  explicit DhtPeerBook(DhtPeerLimits limits) : limits_(limits) {}

  void attach(ServiceHost& host) { host_ = &host; }
  // Dials the contacts resolve() marked since the last call.
  void start_dials(Now now, link::Channel channel);

  // --- dht::AddressBook ---
  std::optional<PeerHandle> resolve(const dht::Contact& contact) override;
  std::optional<NodeId> authenticated_id(PeerHandle peer) const override;

  // The handle of a peer that sent us something (assigned on first sight); nullopt when the
  // table is full of peers that cannot be forgotten yet.
  std::optional<PeerHandle> handle_of(const NodeId& id);
  // Sends a DHT message to the peer behind `handle` now, or queues it while its link is dialled.
  void send(Now now, link::Channel channel, PeerHandle handle, ByteView message);

  // Link events: flush the queue / drop it.
  void peer_up(Now now, link::Channel channel, const NodeId& id);
  void peer_gone(const NodeId& id);

  const DhtPeerCounters& counters() const { return counters_; }
  std::size_t handles() const { return by_id_.size(); }
  std::size_t dialling() const;

 private:
  struct Entry {
    PeerHandle handle = 0;
    bool dialling = false;
    std::deque<Bytes> queued;
    std::string dial_url;  // set by resolve() until start_dials() dials it
  };
  Entry* entry(const NodeId& id);
  Entry* make_entry(const NodeId& id);
  void forget_one_idle();
  void dial_failed(Entry& e);

  DhtPeerLimits limits_;
  ServiceHost* host_ = nullptr;
  std::map<NodeId, Entry> by_id_;
  std::vector<NodeId> to_dial_;  // marked by resolve(), in order
  std::unordered_map<PeerHandle, NodeId> by_handle_;
  PeerHandle next_handle_ = 1;
  DhtPeerCounters counters_;
};

}  // namespace zmesh::node
