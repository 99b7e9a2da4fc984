// NodeCore: one node's peer links behind a single sans-IO interface. The driver (native event
// loop in src/app, the browser, a test network) owns the transports; NodeCore owns the
// protocol: one link::Link per transport connection, authentication, limits, duplicate links,
// keep-alives, reconnection to configured peers, and the services riding the links.
//
// Events in (the driver calls, always with the current time as a Now: the monotonic clock for
// deadlines, the wall clock for expiry; runtime/time.hpp. next_deadline() is on the monotonic clock):
//   on_start(now)
//   on_transport_opened(now, id, {direction, transport, remote, dial})  // id: driver-assigned
//   on_transport_data(now, id, message)      // exactly one whole transport message
//   on_transport_closed(now, id, why)        // the transport ended (not after our own Close)
//   on_dial_failed(now, dial, why)           // a DialUrl action could not open a transport
//   on_transport_blocked / on_transport_writable(now, id)   // send-side backpressure
//   on_timeout(now)                          // once now >= next_deadline()
// Actions out (the driver polls after every event, until nullopt):
//   SendBytes{id, message}   CloseConnection{id}   DialUrl{dial, url}   LogLine{level, text}
// Order matters: a CloseConnection comes after the last SendBytes of that connection (its close
// cell), so the driver sends, then closes (flushing) the transport.
// Batching: what services send is sealed into cells at once but written out lazily, when the
// driver next polls an action (or as soon as a full batch is queued), so the cells of one event
// leave as few SendBytes as possible: ceil(cells / max_cells_per_send) per connection, not one
// per message. One send(2) per cell made the node kernel-bound (docs/benchmarks.md).
//
// What it enforces (NodeConfig): at most max_peers peers and max_handshakes handshakes at once;
// a handshake that does not finish within handshake_timeout is dropped; inbound handshakes
// per remote IP are rate-limited (token bucket); a peer silent for idle_timeout is dropped
// (the link sends padding cells after keepalive_interval of our own silence); every queue is
// bounded (link queues, the log queue, dial table). Each dropped or misbehaving connection
// produces exactly one log line saying who and why.
//
// Duplicate links (both sides dialled each other, or a reconnect raced an old link): the link
// dialled by the lower NodeId wins; between two links dialled by the same node, that node keeps
// the newer one and closes the older (its peer just uses the newer one meanwhile). Both sides
// apply the same rule, so they agree without talking about it.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "identity/identity.hpp"
#include "link/link.hpp"
#include "node/backoff.hpp"
#include "node/link_manager.hpp"
#include "node/rate_limiter.hpp"
#include "node/service.hpp"
#include "runtime/random.hpp"
#include "util/log.hpp"

namespace zmesh::node {

using ConnectionId = std::uint64_t;  // assigned by the driver, unique for the driver's lifetime
using DialId = std::uint64_t;        // assigned by NodeCore in DialUrl; 0 = none

struct NodeConfig {
  std::string network = "zmesh";        // handshake prologue: nodes of other networks never link
  std::vector<std::string> peers;        // configured peer URLs, kept connected (with backoff)
  std::size_t max_peers = 256;           // distinct NodeIds with an open link
  std::size_t max_handshakes = 64;       // handshakes + dials in progress
  std::size_t max_links_per_peer = 4;    // open links to one NodeId (duplicates are transient)
  std::size_t max_dials = 64;            // DialUrl actions awaiting an answer
  std::size_t max_cells_per_send = 64;   // cells per SendBytes (64 KiB: the transports' default message limit)
  DurationUs handshake_timeout = 10 * kSecond;
  DurationUs keepalive_interval = 15 * kSecond;  // padding cell after this long without sending
  DurationUs idle_timeout = 60 * kSecond;        // drop a peer silent for this long
  // Close a link we dialled once no service has used it for this long (0: never). Heartbeats
  // and padding do not count as use; configured peers, links a service still needs (circuits)
  // and links with messages held for them stay. Without this, every DHT lookup would leave
  // links open for good and a node would end up linked to most of the network.
  DurationUs unused_link_timeout = 60 * kSecond;
  BackoffConfig backoff;
  LinkManagerConfig links;               // services' messages held while a peer's link opens
  RateLimitConfig handshake_rate;        // inbound handshakes per remote IP
  log::Level log_level = log::Level::info;  // lines below it are not produced at all
  std::size_t max_log_lines = 1024;      // queued LogLine actions; beyond, lines are counted and dropped
  DurationUs refusal_log_interval = 1 * kSecond;  // refused-connection lines are summarised per interval
};

struct TransportOpened {
  Direction direction = Direction::inbound;
  std::string transport;  // "tcp", "ws", "webrtc", "mem"
  std::string remote;     // "127.0.0.1:50123", "[::1]:4433"
  DialId dial = 0;        // outbound: the DialUrl action this connection answers
};

// --- actions ---
struct SendBytes {
  ConnectionId connection = 0;
  Bytes message;  // one whole transport message
};
struct CloseConnection {
  ConnectionId connection = 0;  // flush what was sent, then close; NodeCore has forgotten it
};
struct DialUrl {
  DialId dial = 0;
  std::string url;  // answer with on_transport_opened(dial = this) or on_dial_failed(dial)
};
struct LogLine {
  log::Level level = log::Level::info;
  std::string text;
};
using Action = std::variant<SendBytes, CloseConnection, DialUrl, LogLine>;

// One line of `zmesh status`: the link a peer is reached through.
struct PeerStats {
  NodeId node_id;
  ConnectionId connection = 0;
  std::string transport;
  Direction direction = Direction::inbound;
  std::string remote;
  std::uint64_t bytes_in = 0;   // transport messages (handshake + cells), without transport framing
  std::uint64_t bytes_out = 0;
  std::uint64_t cells_in = 0;
  std::uint64_t cells_out = 0;
  DurationUs connected_for = 0;
  std::size_t links = 1;        // open links to this NodeId (more than 1 only while a duplicate resolves)
};

struct NodeCounters {
  std::uint64_t connections_opened = 0;
  std::uint64_t refused_rate_limited = 0;
  std::uint64_t refused_handshake_limit = 0;
  std::uint64_t refused_peer_limit = 0;
  std::uint64_t handshake_failures = 0;  // garbage, wrong identity, timeouts, transport lost mid-handshake
  std::uint64_t links_opened = 0;
  std::uint64_t links_failed = 0;        // open links that failed (idle timeout, bad cell, ...)
  std::uint64_t duplicates_closed = 0;
  std::uint64_t unused_links_closed = 0;  // closed by us after unused_link_timeout
  std::uint64_t dials = 0;
  std::uint64_t dials_failed = 0;
  std::uint64_t unknown_channel_messages = 0;
  std::uint64_t log_lines_dropped = 0;
};

class NodeCore final : public ServiceHost {
 public:
  // `self` and `random` must outlive the core.
  NodeCore(const NodeIdentity& self, RandomSource& random, NodeConfig config);
  ~NodeCore() override;
  NodeCore(const NodeCore&) = delete;
  NodeCore& operator=(const NodeCore&) = delete;

  // Before on_start. invalid_argument when the channel is taken or not an application channel.
  // The service must outlive the core.
  Status add_service(Service& service);

  void on_start(Now now);
  void on_transport_opened(Now now, ConnectionId id, TransportOpened info);
  void on_transport_data(Now now, ConnectionId id, ByteView message);
  void on_transport_closed(Now now, ConnectionId id, std::string_view why);
  void on_dial_failed(Now now, DialId dial, std::string_view why);
  // The transport refused a send for lack of buffer room (the driver keeps that message and
  // any later ones in order); NodeCore stops producing SendBytes for it until writable.
  void on_transport_blocked(ConnectionId id);
  void on_transport_writable(Now now, ConnectionId id);
  void on_timeout(Now now);
  TimeUs next_deadline() const;
  std::optional<Action> poll_action();

  // Closes every link (close cells, reason "shutting down"), stops dialling and refuses new
  // transports. The driver then flushes the CloseConnection actions and exits.
  void shutdown(Now now);
  bool shutting_down() const { return shutting_down_; }

  // --- ServiceHost ---
  Status send(Now now, const NodeId& peer, link::Channel channel, ByteView message) override;
  Result<bool> connect(Now now, const NodeId& peer, std::string_view url) override;
  bool is_up(const NodeId& peer) const override { return peers_.count(peer) != 0; }
  LinkManager& links() override { return links_; }
  const NodeId& self_id() const override { return self_.id; }
  void log(log::Level level, std::string text) override;

  // --- inspection ---
  std::vector<PeerStats> peer_stats(Now now) const;
  std::size_t peer_count() const { return peers_.size(); }
  std::size_t connection_count() const { return connections_.size(); }
  std::size_t handshakes_in_progress() const;
  std::size_t pending_dials() const { return dials_.size(); }
  const NodeCounters& counters() const { return counters_; }
  const NodeConfig& config() const { return config_; }

 private:
  struct Connection {
    ConnectionId id = 0;
    TransportOpened transport;
    std::unique_ptr<link::Link> link;
    TimeUs opened_at = 0;
    TimeUs link_up_at = -1;                  // handshake completion, -1 before
    std::optional<NodeId> peer;              // set once the link is open and counted in peers_
    std::optional<std::size_t> configured;   // index into configured_ when dialled for it
    std::optional<NodeId> dialled_for;       // connect(): the NodeId the handshake must prove
    bool blocked = false;
    bool unflushed = false;                  // listed in unflushed_
    TimeUs armed_at = kNever;                // its entry in link_deadlines_ (kNever: none)
    TimeUs last_used = 0;                    // a service's message in or out (not heartbeats)
    std::uint64_t bytes_in = 0;
    std::uint64_t bytes_out = 0;
  };
  struct Peer {
    std::vector<ConnectionId> links;  // open links to this NodeId
    ConnectionId primary = 0;         // the one services send on
    TimeUs unused_check_at = kNever;  // its entry in unused_checks_
  };
  struct Dial {
    std::string url;
    std::optional<NodeId> expect;
    std::optional<std::size_t> configured;
  };
  struct ConfiguredPeer {
    std::string url;
    std::optional<NodeId> node_id;          // learned from the first successful handshake
    std::optional<DialId> dial;             // dial in progress
    std::optional<ConnectionId> connection; // transport dialled for it (handshaking or open)
    std::uint32_t failures = 0;             // consecutive, for the backoff
    TimeUs next_dial_at = kNever;
  };

  // node_core.cpp: connections and links
  void after_link_event(Now now, ConnectionId id);
  void flush(Connection& c);
  void flush_full_batches(Connection& c);
  void flush_pending();
  // Keeps link_deadlines_ true after anything that may move the link's deadline (a message in
  // or out, a timeout), so that timers cost O(log connections), not a scan of all of them.
  void rearm(Connection& c);
  void disarm(Connection& c);
  void drop(Now now, ConnectionId id, log::Level level, const std::string& why);
  void deliver_messages(Now now, Connection& c);
  void refuse(Now now, ConnectionId id, const TransportOpened& info, std::uint64_t& counter, std::string_view why);
  std::string describe(const Connection& c) const;
  link::LinkConfig link_config(const std::optional<NodeId>& expected) const;

  // node_peers.cpp: peers, duplicates, dials, configured peers
  void link_opened(Now now, Connection& c);
  void resolve_duplicates(Now now, Connection& c, Peer& peer);
  bool prefer(const Connection& a, const Connection& b) const;
  void choose_primary(Peer& peer);
  void unlink_peer(Now now, Connection& c);
  void connection_ended(Now now, Connection& c, std::string_view why);
  std::optional<DialId> start_dial(Now now, std::string url, std::optional<NodeId> expect,
                                   std::optional<std::size_t> configured);
  void dial_configured(Now now);
  void reschedule_configured(Now now);
  bool configured_connected(const ConfiguredPeer& p) const;
  void push(Action action);

  // node_unused_links.cpp: closing links nobody uses
  void schedule_unused_check(const NodeId& id, Peer& peer, TimeUs at);
  void unschedule_unused_check(const NodeId& id, Peer& peer);
  void close_unused_links(Now now);
  bool link_still_needed(const NodeId& id, const Peer& peer) const;
  void note_use(Connection& c, link::Channel channel, Now now);

  const NodeIdentity& self_;
  RandomSource& random_;
  NodeConfig config_;
  HandshakeRateLimiter rate_limiter_;
  std::vector<Service*> services_;
  std::map<ConnectionId, std::unique_ptr<Connection>> connections_;
  std::map<NodeId, Peer> peers_;
  std::map<DialId, Dial> dials_;
  std::vector<ConfiguredPeer> configured_;
  std::deque<Action> actions_;
  std::vector<ConnectionId> unflushed_;  // connections with cells sent by services, not yet polled out
  std::set<std::pair<TimeUs, ConnectionId>> link_deadlines_;  // every link's next deadline, earliest first
  std::set<std::pair<TimeUs, NodeId>> unused_checks_;          // one per peer: when to look at its use again
  std::array<bool, 256> channel_in_use_{};                     // messages on the channel count as use
  std::size_t queued_log_lines_ = 0;
  std::uint64_t log_lines_dropped_unreported_ = 0;
  DialId next_dial_ = 1;
  bool started_ = false;
  bool shutting_down_ = false;
  TimeUs refusal_window_start_ = -1;   // refused-connection log summarising
  std::uint64_t refusals_suppressed_ = 0;
  NodeCounters counters_;
  LinkManager links_{*this};  // last: uses the members above through ServiceHost
};

}  // namespace zmesh::node
