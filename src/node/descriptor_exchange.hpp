// DescriptorExchange: when a link opens, each side sends the other its own signed descriptor
// (link channel 7, docs/protocol/descriptor-exchange.md), so a node learns the descriptor of
// every peer it links to without a DHT lookup (I2P's NTCP2 carries the RouterInfo in its
// handshake for the same reason). Before it, the DHT service looked up the descriptor of every
// new peer; each lookup linked to about k more nodes, whose descriptors were looked up in turn,
// and so on until every node was linked to most of the network.
//
// What arrives is trusted only after DhtService::offer_descriptor checked it exactly as a
// descriptor from the DHT (verify_for(sender, now): the sender's own, validly signed, not
// expired). One offer per link: more are ignored (counted), so a peer cannot make us verify
// signatures in a loop. Nothing is sent when we have no published descriptor yet (a client):
// the DHT service's own fetch of a peer's descriptor (after DhtServiceConfig::
// linked_descriptor_wait) covers peers that send none.
#pragma once

#include <set>

#include "node/channels.hpp"
#include "node/dht_service.hpp"
#include "node/service.hpp"

namespace zmesh::node {

inline constexpr std::uint8_t kDescriptorExchangeVersion = 1;

struct DescriptorExchangeCounters {
  std::uint64_t sent = 0;
  std::uint64_t send_failures = 0;  // the link refused it (full); the peer will look us up instead
  std::uint64_t accepted = 0;       // verified and cached
  std::uint64_t not_newer = 0;      // we already held this sequence or a newer one
  std::uint64_t refused = 0;        // malformed, or failed verification for its sender
  std::uint64_t extra_offers = 0;   // beyond one per link: ignored
};

// The wire form: version byte, then the descriptor's encoding (docs/protocol/descriptor.md).
Bytes encode_descriptor_offer(const NodeDescriptor& descriptor);
Result<NodeDescriptor> decode_descriptor_offer(ByteView message);

class DescriptorExchange final : public Service {
 public:
  // `dht` supplies our descriptor and takes the peers'; it must outlive this service.
  explicit DescriptorExchange(DhtService& dht) : dht_(dht) {}

  Channel channel() const override { return kChannelDescriptor; }
  const char* name() const override { return "descriptor"; }
  // Upkeep: a link carrying only this exchange counts as unused.
  bool messages_keep_links_in_use() const override { return false; }
  void on_attach(ServiceHost& host) override { host_ = &host; }
  void on_peer_up(Now now, const PeerInfo& peer) override;
  void on_peer_down(Now now, const NodeId& peer) override;
  void on_message(Now now, const NodeId& from, ByteView message) override;

  const DescriptorExchangeCounters& counters() const { return counters_; }

 private:
  DhtService& dht_;
  ServiceHost* host_ = nullptr;
  std::set<NodeId> offered_;  // linked peers whose one offer has arrived (bounded by the peer limit)
  DescriptorExchangeCounters counters_;
};

}  // namespace zmesh::node
