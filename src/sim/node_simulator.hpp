// The whole-node simulator: real nodes (WholeNode: NodeCore with link handshakes, DHT, onion,
// ping, ...) in one process, on virtual time, over simulated reliable connections, with
// partitions, crashes, freezes and restarts, reproducible byte for byte from one seed. The
// engine is the message-level simulator's (event_queue.hpp, link_model.hpp, trace_hash.hpp,
// one seeded stream per node); what differs is the contract it drives: NodeCore's
// connection-oriented one (on_transport_opened / data / closed, on_dial_failed, on_timeout,
// poll_action) instead of runtime::Core's datagrams. docs/simulator.md, "Whole nodes".
//
// Transports. Node i listens on "mem://i" (the kTransportMem scheme of node/transport_url.hpp,
// which real drivers skip). A DialUrl to a node that is up and reachable opens a connection:
// both ends get on_transport_opened one one-way latency later; a dial to a node that is down,
// frozen or across a partition fails after `dial_timeout`, to an unknown URL at once.
// Connections are reliable and ordered: a message crosses the directed link with its latency
// and bandwidth (LinkModel::transmit_reliable); a loss costs a retransmission timeout, never
// the message; jitter never reorders a connection (arrival = max(arrival, previous arrival)).
// CloseConnection delivers what was sent, then the far end sees on_transport_closed.
//
// Faults. partition(): messages crossing the cut stall at the receiver (held in order); a
// connection still cut after `transport_timeout` breaks (on_transport_closed at both ends);
// heal() delivers what stalled. crash(): the node's process is killed: its core is destroyed,
// each peer sees its connection close after the data already sent (the kernel's FIN).
// freeze(): a hung process: nothing reaches it, its timers do not fire, its connections stay
// open (peers' idle timeouts notice); thaw() resumes it. restart(): a new core with the same
// keys (its key file), listening at the same URL.
//
// Trace: every event a NodeCore sees (start, opened, data with its bytes, closed, dial failed,
// timeout) and every fault goes into a BLAKE2b trace hash; one seed, one hash.
// Not thread-safe; one NodeSimulator per thread.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/random.hpp"
#include "sim/event_queue.hpp"
#include "sim/link_model.hpp"
#include "sim/trace_hash.hpp"
#include "sim/whole_node.hpp"

namespace zmesh::sim {

struct NodeSimulatorConfig {
  DurationUs dial_timeout = 10 * kSecond;       // a dial into the void fails after this
  DurationUs transport_timeout = 30 * kSecond;  // a partitioned connection breaks after this
  // Called with every LogLine a node emits (nullptr: counted only).
  std::function<void(NodeIndex, const node::LogLine&)> on_log;
};

struct NodeSimStats {
  std::uint64_t events = 0;             // events handed to nodes (start, opened, data, closed, dial failed, timeout)
  std::uint64_t timeouts = 0;
  std::uint64_t dials = 0;
  std::uint64_t dials_failed = 0;
  std::uint64_t connections_opened = 0;
  std::uint64_t connections_broken = 0; // by a partition outlasting transport_timeout
  std::uint64_t messages_delivered = 0; // transport messages (SendBytes) handed to on_transport_data
  std::uint64_t bytes_delivered = 0;
  std::uint64_t retransmissions = 0;    // loss draws paid as retransmission timeouts
  std::uint64_t messages_stalled = 0;   // arrivals held back by a partition or a frozen receiver
  std::uint64_t log_lines = 0;
  std::uint64_t warnings = 0;           // log lines at warn or error
  std::uint64_t crashes = 0;
  std::uint64_t restarts = 0;
  bool operator==(const NodeSimStats&) const = default;
};

class NodeSimulator {
 public:
  explicit NodeSimulator(std::uint64_t seed, NodeSimulatorConfig config = {});
  ~NodeSimulator();
  NodeSimulator(const NodeSimulator&) = delete;
  NodeSimulator& operator=(const NodeSimulator&) = delete;

  // Adds a node that starts at `start_at` (or the current time if later), with `seeds` as its
  // configured peers. `config` must outlive the simulator; many nodes may share one.
  NodeIndex add_node(const WholeNodeConfig& config, std::vector<NodeIndex> seeds, TimeUs start_at = 0);
  std::size_t node_count() const { return hosts_.size(); }
  static std::string url_of(NodeIndex node) { return "mem://" + std::to_string(node); }

  // --- links ---
  void set_default_link(const LinkProfile& profile) { links_.set_default(profile); }
  void set_link(NodeIndex a, NodeIndex b, const LinkProfile& profile);  // both directions

  // --- faults (now; *_at or at() for later) ---
  void partition(const std::vector<std::vector<NodeIndex>>& groups);  // unlisted nodes: one more group
  void heal();
  bool can_reach(NodeIndex a, NodeIndex b) const { return hosts_[a].group == hosts_[b].group; }
  void crash(NodeIndex node);
  void restart(NodeIndex node);  // crashes first if up
  void freeze(NodeIndex node);
  void thaw(NodeIndex node);
  bool is_up(NodeIndex node) const { return hosts_[node].up; }
  void crash_at(TimeUs time, NodeIndex node);
  void restart_at(TimeUs time, NodeIndex node);
  // Any scenario step at a future time. A node reached through node() inside the action is
  // drained (actions executed, timer re-armed) when the action returns.
  void at(TimeUs time, std::function<void(NodeSimulator&)> action);

  // --- running ---
  std::uint64_t run_until(TimeUs time);
  std::uint64_t run_for(DurationUs duration) { return run_until(now_ + duration); }
  // Runs until `done()` (checked every `check_every`) or `limit` from now; returns done().
  bool run_until_true(const std::function<bool()>& done, DurationUs limit, DurationUs check_every = 100 * kMillisecond);
  bool step();
  TimeUs now() const { return now_; }

  // --- inspection (and commands inside at()) ---
  WholeNode* node(NodeIndex index);  // nullptr while down (or not started yet)
  // The node's NodeId (its keys exist from its first start on; zero before).
  NodeId node_id(NodeIndex index) const;
  const NodeTally& tally(NodeIndex index) const { return tallies_[index]; }
  NodeTally total_tally() const;
  // Service counters summed over every node, including those of cores since crashed.
  NodeServiceTotals service_totals() const;
  const NodeSimStats& stats() const { return stats_; }
  ByteArray<32> trace_hash() const { return trace_.digest(); }
  std::string trace_hash_hex() const;
  std::size_t open_connections() const { return open_connections_; }
  std::size_t pending_events() const { return queue_.size(); }

 private:
  struct Host {
    std::unique_ptr<WholeNode> node;
    TimeUs timer_at = kNever;       // the pending timer event that counts (lazy deletion)
    std::uint32_t incarnation = 0;  // +1 per crash: dials of an older process are void
    std::uint32_t group = 0;        // partition group
    std::uint32_t starts = 0;
    const WholeNodeConfig* config = nullptr;
    std::vector<NodeIndex> seeds;
    std::vector<std::uint32_t> connections;  // slots of connections with an open end here
    bool up = true;
    bool start_pending = true;
    bool frozen = false;
    bool touched = false;  // reached through node() by the running action
  };
  enum class CloseKind : std::uint8_t { none, closed, reset };
  struct Packet {
    TimeUs arrival = 0;
    Bytes payload;
    CloseKind close = CloseKind::none;  // not none: the sender closed (or died) after the bytes before
  };
  // One direction of a connection: packets in order of arrival (a vector used as a FIFO).
  struct Flow {
    std::vector<Packet> packets;
    std::size_t head = 0;
    TimeUs last_arrival = 0;
    std::uint32_t generation = 0;  // events of an older generation are void (stall, reuse)
    bool stalled = false;
    bool empty() const { return head == packets.size(); }
  };
  struct End {
    NodeIndex node = 0;
    std::uint32_t incarnation = 0;
    bool open = false;  // the node's core knows this connection
  };
  // flows[d] carries what ends[d] sends to ends[1 - d].
  struct Connection {
    End ends[2];
    Flow flows[2];
    std::uint32_t serial = 0;  // +1 per use of the slot: part of the ConnectionId
    bool in_use = false;
  };
  struct Dial {
    NodeIndex from = 0;
    std::uint32_t incarnation = 0;
    node::DialId dial = 0;
    NodeIndex target = 0;
    bool known = false;    // the URL names a node
    bool failing = false;  // the attempt is waiting out dial_timeout
  };

  // node_simulator.cpp: the event loop, nodes and faults
  void dispatch(const ScheduledEvent& event);
  void start_node(NodeIndex index);
  void fire_timer(NodeIndex index, TimeUs time);
  void run_action(std::uint32_t index);
  // Executes the node's actions and application work until both are idle, re-arms its timer.
  void drain(NodeIndex index, bool after_timeout = false);
  void execute(NodeIndex index, node::Action&& action);
  void log_line(NodeIndex index, const node::LogLine& line);
  void ensure_keys(NodeIndex index);

  // node_simulator_transport.cpp: dials and connections
  void dial(NodeIndex from, const node::DialUrl& dial);
  void dial_arrived(std::uint32_t slot);
  void open_connection(NodeIndex from, NodeIndex to, node::DialId dial);
  void send(NodeIndex from, node::ConnectionId id, Bytes payload);
  void close(NodeIndex from, node::ConnectionId id);
  void enqueue(std::uint32_t slot, int direction, Packet packet);
  void deliver(std::uint32_t slot, std::uint32_t direction_and_generation);
  void stall(std::uint32_t slot, int direction);
  void resume_stalled();
  void check_partition(std::uint32_t slot, std::uint32_t epoch);
  void break_connection(std::uint32_t slot, const char* why);
  void close_end(std::uint32_t slot, int end, const char* why, bool tell_node);
  void kill_connections(NodeIndex node);
  void release_if_done(std::uint32_t slot);
  std::uint32_t allocate_connection();
  Connection* find(NodeIndex node, node::ConnectionId id, int& end);
  static node::ConnectionId connection_id(const Connection& c, std::uint32_t slot, int end);
  void record(NodeIndex node, TraceKind kind, node::ConnectionId id, ByteView payload = {});

  NodeSimulatorConfig config_;
  TimeUs now_ = 0;
  SeededRandom master_random_;
  SeededRandom link_random_;
  std::vector<Host> hosts_;
  std::deque<SeededRandom> randoms_;                // one per node: addresses stay stable
  std::deque<std::unique_ptr<NodeKeys>> keys_;      // one per node, made at its first start
  std::deque<NodeTally> tallies_;
  NodeServiceTotals retired_;                       // counters of cores that crashed
  LinkModel links_;
  EventQueue queue_;
  std::vector<Connection> connections_;
  std::vector<std::uint32_t> free_connections_;
  std::vector<Dial> dials_;
  std::vector<std::uint32_t> free_dials_;
  std::vector<std::uint32_t> stalled_;  // connection slots with a stalled flow
  std::uint32_t partition_epoch_ = 0;
  std::size_t open_connections_ = 0;
  std::vector<std::function<void(NodeSimulator&)>> actions_;
  bool in_action_ = false;
  std::vector<NodeIndex> touched_;
  TraceHash trace_;
  NodeSimStats stats_;
};

}  // namespace zmesh::sim
