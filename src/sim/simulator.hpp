// The deterministic simulator: many sans-IO cores (runtime/core.hpp) in one process, virtual
// time, in-memory links (link_model.hpp), partitions, crashes and restarts. Everything that
// could differ between two runs comes from one 64-bit seed, so a run (and a bug found in it)
// is replayed exactly from its seed. Model: FoundationDB's and TigerBeetle's simulation
// testing. See docs/simulator.md.
//
// Addresses: a core's PeerHandle is the index of a simulated node.
// Not thread-safe; one Simulator per thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "runtime/core.hpp"
#include "runtime/random.hpp"
#include "sim/event_queue.hpp"
#include "sim/link_model.hpp"
#include "sim/stats.hpp"
#include "sim/trace_hash.hpp"

namespace zmesh::sim {

using NodeIndex = std::uint32_t;

// What a factory gets to build a node's core. `random` is the node's own stream, forked
// from the seed when the node was added; it lives as long as the simulator and carries on
// across restarts (so a restarted node does not replay its earlier random choices).
struct NodeContext {
  NodeIndex index;
  std::uint32_t incarnation;  // 0 for the first start, +1 for every restart
  RandomSource& random;
};
using CoreFactory = std::function<std::unique_ptr<Core>(const NodeContext&)>;

class Simulator {
 public:
  explicit Simulator(std::uint64_t seed);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Adds a node that starts (on_start) at the current virtual time, once the simulation runs.
  NodeIndex add_node(CoreFactory factory);
  // Adds `count` nodes sharing one copy of the factory; returns the first index.
  NodeIndex add_nodes(std::size_t count, CoreFactory factory);
  std::size_t node_count() const { return nodes_.size(); }

  // --- links ---
  void set_default_link(const LinkProfile& profile) { links_.set_default(profile); }
  void set_link(NodeIndex a, NodeIndex b, const LinkProfile& profile);  // both directions
  void set_link_one_way(NodeIndex from, NodeIndex to, const LinkProfile& profile);
  const LinkProfile& link(NodeIndex from, NodeIndex to) const { return links_.profile(from, to); }

  // --- faults ---
  // Splits the nodes into groups that cannot reach each other; nodes not listed form one more
  // group together. Replaces any earlier partition. Messages already in flight across the cut
  // are dropped on arrival.
  void partition(const std::vector<std::vector<NodeIndex>>& groups);
  void heal();
  bool can_reach(NodeIndex from, NodeIndex to) const { return nodes_[from].group == nodes_[to].group; }
  // Destroys the node's core; messages in flight to it are dropped, even after a restart.
  void crash(NodeIndex node);
  // Builds a fresh core from the node's factory (a crash first if the node is up).
  void restart(NodeIndex node);
  bool is_up(NodeIndex node) const { return nodes_[node].up; }
  // The same, at a future virtual time.
  void crash_at(TimeUs time, NodeIndex node);
  void restart_at(TimeUs time, NodeIndex node);
  // Any scenario step at a future virtual time (a partition, a heal, a link change, a command
  // to a core, ...). A core the action reaches through core() or core_as() is driven like after
  // any other event once the action returns: what it queued is sent and its timer re-armed.
  void at(TimeUs time, std::function<void(Simulator&)> action);

  // Hands `payload` to the network as if `from` had sent it (e.g. garbage for a robustness test).
  void send_raw(NodeIndex from, NodeIndex to, Bytes payload);

  // --- running ---
  // Processes every event due at or before `time`, then sets now() to `time`.
  // Returns the number of events popped.
  std::uint64_t run_until(TimeUs time);
  std::uint64_t run_for(DurationUs duration) { return run_until(now_ + duration); }
  // Processes the next event, if any; false when the agenda is empty.
  bool step();
  TimeUs now() const { return now_; }
  std::size_t pending_events() const { return queue_.size(); }

  // --- inspection (and, inside an at() action, commands) ---
  Core* core(NodeIndex node);  // nullptr while down
  template <class T>
  T* core_as(NodeIndex node) {
    return dynamic_cast<T*>(core(node));
  }
  const SimStats& stats() const { return stats_; }
  ByteArray<32> trace_hash() const { return trace_.digest(); }
  std::string trace_hash_hex() const;
  // Simulator-owned bytes (nodes, agenda, in-flight messages, link state), cores excluded.
  std::size_t memory_bytes() const;

 private:
  // What every event touches, kept small (40 bytes) and in one vector: with 100,000 nodes
  // a cache miss per lookup is the simulator's main cost. The node's random stream is cold
  // (used by its core through a reference) and lives apart in randoms_.
  struct Node {
    std::unique_ptr<Core> core;
    TimeUs timer_at = kNever;     // time of the pending timer event that counts (lazy deletion)
    std::uint32_t incarnation = 0;
    std::uint32_t group = 0;      // partition group
    std::uint32_t factory = 0;    // index into factories_
    std::uint32_t starts = 0;     // how many times a core was built
    bool up = true;
    bool start_pending = true;
    bool touched = false;         // reached through core() by the running action
  };
  struct InFlight {
    NodeIndex source = 0;
    std::uint32_t incarnation = 0;  // receiver's incarnation when sent
    Bytes payload;
  };

  void dispatch(const ScheduledEvent& event);
  void run_action(std::uint32_t action);
  void start_node(NodeIndex index);
  void deliver(NodeIndex to, std::uint32_t slot);
  void fire_timer(NodeIndex index, TimeUs time);
  // Sends what the core queued and re-arms its timer.
  void flush(NodeIndex index, bool after_timeout);
  void send(NodeIndex from, PeerHandle to, Bytes payload);
  std::uint32_t allocate_slot();

  TimeUs now_ = 0;
  SeededRandom master_random_;
  SeededRandom link_random_;
  std::vector<CoreFactory> factories_;
  std::vector<Node> nodes_;
  std::deque<SeededRandom> randoms_;  // one per node; a deque keeps the addresses cores hold stable
  LinkModel links_;
  EventQueue queue_;
  std::vector<InFlight> in_flight_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::function<void(Simulator&)>> actions_;
  bool in_action_ = false;
  std::vector<NodeIndex> touched_;  // by the running action, in the order first reached
  TraceHash trace_;
  SimStats stats_;
};

}  // namespace zmesh::sim
