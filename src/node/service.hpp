// How a service (DHT, onion, health, ping, ...) plugs into NodeCore: it owns one link channel
// (node/channels.hpp), hears about peers coming and going, receives every whole message that
// arrives on its channel, and sends through the ServiceHost it is given. Sans-IO like the rest
// of the node: time comes in as `now`, nothing runs on its own.
//
//   class DhtService final : public node::Service {
//     Channel channel() const override { return node::kChannelDht; }
//     const char* name() const override { return "dht"; }
//     void on_attach(ServiceHost& host) override { host_ = &host; }
//     void on_message(Now now, const NodeId& from, ByteView m) override { ... host_->send(now, from, channel(), reply); }
//   };
//   node.add_service(dht);   // before node.on_start()
//
// Peers are named by NodeId: the link handshake proved it, and NodeCore keeps at most one link
// per NodeId in use (duplicates are resolved below the service). Re-entrancy: a service may call
// any ServiceHost function from inside any of its callbacks.
#pragma once

#include <string>
#include <string_view>

#include "identity/node_id.hpp"
#include "link/cell.hpp"
#include "runtime/time.hpp"
#include "util/bytes.hpp"
#include "util/log.hpp"
#include "util/result.hpp"

namespace zmesh::node {

class LinkManager;  // node/link_manager.hpp

enum class Direction : std::uint8_t { inbound, outbound };
const char* direction_name(Direction direction);

// What a service learns about a peer when its first link opens.
struct PeerInfo {
  NodeId node_id;
  std::string transport;  // "tcp", "ws", "webrtc", "mem"
  Direction direction = Direction::inbound;
  std::string remote;     // transport address of the other end ("127.0.0.1:50123"); for an
                          // inbound link usually not dialable (ephemeral port)
};

// What NodeCore offers to services.
class ServiceHost {
 public:
  virtual ~ServiceHost() = default;
  // One message (≤ link::kMaxMessageBytes) to a peer that is up. Errors: not_found (no open
  // link to that NodeId), limit_exceeded (the link's bounded send queue is full: nothing was
  // queued, try again later), too_large, closed.
  virtual Status send(Now now, const NodeId& peer, link::Channel channel, ByteView message) = 0;
  // Makes sure a link to `peer` exists: nothing to do when it is up (returns true), otherwise
  // dials `url` (tcp://, ws://, ...) and authenticates the answer as `peer` (returns false).
  // Every service then gets on_peer_up, or on_connect_failed. Errors: limit_exceeded (too many
  // dials in progress), invalid_argument (our own NodeId), closed (shutting down).
  virtual Result<bool> connect(Now now, const NodeId& peer, std::string_view url) = 0;
  virtual bool is_up(const NodeId& peer) const = 0;
  // The node's one LinkManager: send to a NodeId whether or not it has a link (held in a
  // bounded queue and dialled), on_peer_unreachable when it cannot be reached. Shared by every
  // service, so a peer is dialled once however many services want it.
  virtual LinkManager& links() = 0;
  virtual const NodeId& self_id() const = 0;
  // A line for the node's log (bounded; the driver decides where it goes).
  virtual void log(log::Level level, std::string text) = 0;
};

class Service {
 public:
  virtual ~Service() = default;
  virtual link::Channel channel() const = 0;
  virtual const char* name() const = 0;

  // Called once, by NodeCore::add_service; `host` outlives the service's use of it.
  virtual void on_attach(ServiceHost& host) = 0;
  // The first link to a peer opened / the last one closed.
  virtual void on_peer_up(Now /*now*/, const PeerInfo& /*peer*/) {}
  virtual void on_peer_down(Now /*now*/, const NodeId& /*peer*/) {}
  // One whole message on this service's channel from an authenticated peer. The view is valid
  // only during the call.
  virtual void on_message(Now now, const NodeId& from, ByteView message) = 0;
  // A ServiceHost::connect() (by any service) did not produce a link to `peer`.
  virtual void on_connect_failed(Now /*now*/, const NodeId& /*peer*/, std::string_view /*reason*/) {}
  // The LinkManager gave up on `peer` and dropped the messages this service had it hold (the
  // dial failed or timed out, no descriptor, its queue overflowed); see node/link_manager.hpp.
  virtual void on_peer_unreachable(Now /*now*/, const NodeId& /*peer*/, std::string_view /*why*/) {}
  // The transport to `peer` took its backlog (it had refused a send for lack of room): sends
  // refused with limit_exceeded may be retried now, no need to poll.
  virtual void on_peer_writable(Now /*now*/, const NodeId& /*peer*/) {}
  // Timers: NodeCore calls on_timeout once now >= next_deadline().
  virtual TimeUs next_deadline() const { return kNever; }
  virtual void on_timeout(Now /*now*/) {}

  // Unused links (NodeConfig::unused_link_timeout). Whether this service's messages count as
  // using a link: false for upkeep traffic (heartbeats), which must not keep a link open by itself.
  virtual bool messages_keep_links_in_use() const { return true; }
  // Whether the service still needs its link to `peer` although nothing was sent for a while
  // (an idle circuit through it): NodeCore then keeps the link. Asked rarely; O(log n) is fine.
  virtual bool needs_link(const NodeId& /*peer*/) const { return false; }
};

}  // namespace zmesh::node
