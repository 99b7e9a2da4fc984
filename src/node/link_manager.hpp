// LinkManager: "send this message on channel C to this NodeId", dialling the peer if it has no
// link yet, with a bounded per-peer queue, and telling the sending service when the peer cannot
// be reached. One per node, owned by NodeCore and offered to every service through
// ServiceHost::links() (the DHT's contacts and the onion service's next hops go through the
// same queues and dials); Arti's tor-chanmgr plays this part.
//
// Driving it (NodeCore does; a test host may drive its own):
//   links.send(now, peer, channel, message, via)   // services
//   links.on_peer_up / on_peer_writable / on_peer_down / on_connect_failed(now, peer)
//   arm a timer for links.next_deadline(); links.on_timeout(now) once due
// and `on_unreachable` gets (now, peer, channel, why) for every channel that had messages held
// for a peer given up: the dial failed or was refused, no descriptor or no dialable address, the
// link did not come up within link_wait_timeout, the peer's queue overflowed, or a link refused
// a message for good. The held messages are dropped (counted): a service that needs them
// delivered reacts (the onion relay fails the circuits through that peer; the DHT's request
// timeouts retry elsewhere).
//
// Order: the messages to one peer leave in the order they were given, across channels; nothing
// overtakes a held message.
// Cost: O(log peers) per call; timers from an ordered set, never a scan of every peer.
// Re-entrancy: `on_unreachable` may call send() (for another peer) and the PeerDirectory may
// answer inside send(); the callback runs after the peer's state is gone.
//
// Not for: choosing which link to a NodeId is used (NodeCore), what the messages mean, retrying
// a dropped message (the services' own timers).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "identity/descriptor.hpp"
#include "node/peer_directory.hpp"
#include "node/service.hpp"
#include "util/lifetime.hpp"

namespace zmesh::node {

struct LinkManagerConfig {
  std::size_t max_queued_per_peer = 4096;  // messages held for one peer (all channels); beyond, the peer is given up
  std::size_t max_waiting_peers = 1024;    // peers with held messages at once
  DurationUs link_wait_timeout = 20 * kSecond;         // give up on a peer whose link does not come up
  DurationUs send_retry_interval = 50 * kMillisecond;  // retry a full link (on_peer_writable retries at once)
};

// Where a peer without a link is dialled: a URL (the DHT knows its contacts' addresses), or the
// addresses of its descriptor in a PeerDirectory (the onion service's next hops). Neither: wait
// for the peer to link to us, until link_wait_timeout.
struct DialVia {
  std::string url;
  PeerDirectory* directory = nullptr;
};

enum class SendOutcome : std::uint8_t { sent, held, dialling };  // dialling: held, and a dial started

struct LinkManagerCounters {
  std::uint64_t sent = 0;               // messages handed to a link (at once or from a queue)
  std::uint64_t held = 0;               // messages that had to wait
  std::uint64_t dropped = 0;            // held messages given up with their peer
  std::uint64_t dials = 0;              // connect() calls that started a dial
  std::uint64_t dial_failures = 0;      // refused at once, failed later, or timed out
  std::uint64_t descriptor_misses = 0;  // no usable descriptor or no dialable address in it
  std::uint64_t peers_given_up = 0;
};

class LinkManager {
 public:
  using Unreachable = std::function<void(Now now, const NodeId& peer, link::Channel channel, std::string_view why)>;

  // `host` sends, dials and logs; it must outlive the manager.
  explicit LinkManager(ServiceHost& host, LinkManagerConfig config = {});
  ~LinkManager();
  LinkManager(const LinkManager&) = delete;
  LinkManager& operator=(const LinkManager&) = delete;

  void on_unreachable(Unreachable callback) { unreachable_ = std::move(callback); }
  void set_config(const LinkManagerConfig& config) { config_ = config; }
  const LinkManagerConfig& config() const { return config_; }

  // Sends at once when the peer's link is up and takes it; otherwise holds the message and,
  // when the peer has no link, dials it through `via` (once per wait). Errors: invalid_argument
  // (our own NodeId); limit_exceeded (too many peers waiting, or this peer's queue overflowed)
  // and closed/too_large (a link refused it for good): the peer is given up, and on_unreachable
  // has run for it before send returns, so a service may rely on that alone.
  Result<SendOutcome> send(Now now, const NodeId& peer, link::Channel channel, ByteView message, const DialVia& via = {});

  // --- NodeCore's link events ---
  void on_peer_up(Now now, const NodeId& peer);        // held messages go out
  void on_peer_writable(Now now, const NodeId& peer);  // same
  void on_peer_down(Now now, const NodeId& peer);      // held messages are dropped (services hear on_peer_down)
  void on_connect_failed(Now now, const NodeId& peer, std::string_view why);  // gives the peer up
  TimeUs next_deadline() const;
  void on_timeout(Now now);

  // --- inspection ---
  const LinkManagerCounters& counters() const { return counters_; }
  std::size_t waiting_peers() const { return peers_.size(); }
  std::size_t held(const NodeId& peer) const;
  bool dialling(const NodeId& peer) const;

 private:
  struct Held {
    link::Channel channel;
    Bytes message;
  };
  struct PeerQueue {
    std::deque<Held> messages;
    TimeUs wait_deadline = kNever;  // waiting for the link to come up (kNever: up, just full)
    bool dialling = false;
    bool retry = false;             // listed in retry_: the link was full
  };

  // link_manager.cpp
  PeerQueue* find(const NodeId& peer);
  void flush(Now now, const NodeId& peer);
  void set_wait(const NodeId& peer, PeerQueue& queue, TimeUs deadline);
  void forget(const NodeId& peer);  // erases the queue and its timer entries
  void give_up(Now now, const NodeId& peer, std::string_view why, link::Channel also = 0);

  // link_manager_dial.cpp
  void dial(Now now, const NodeId& peer, const DialVia& via);
  void dial_url(Now now, const NodeId& peer, const std::string& url);
  void dial_descriptor(Now now, const NodeId& peer, const NodeDescriptor& descriptor);

  ServiceHost& host_;
  LinkManagerConfig config_;
  Unreachable unreachable_;
  std::map<NodeId, PeerQueue> peers_;
  std::set<std::pair<TimeUs, NodeId>> waits_;  // link-wait deadlines, earliest first
  std::set<NodeId> retry_;                     // up but full: flushed at next_retry_
  TimeUs next_retry_ = kNever;
  LifetimeGuard alive_;  // guards PeerDirectory callbacks
  LinkManagerCounters counters_;
};

}  // namespace zmesh::node
