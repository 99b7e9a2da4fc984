#include "sim/simulator.hpp"

#include <cstdlib>
#include <limits>

#include "util/bytes.hpp"

namespace zmesh::sim {
namespace {

// Reserved values of ScheduledEvent::slot; every smaller value indexes in_flight_.
constexpr std::uint32_t kTimerSlot = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint32_t kStartSlot = kTimerSlot - 1;
constexpr std::uint32_t kCrashSlot = kTimerSlot - 2;
constexpr std::uint32_t kRestartSlot = kTimerSlot - 3;
constexpr std::uint32_t kActionSlot = kTimerSlot - 4;  // node field = index into actions_
constexpr std::uint32_t kMaxMessageSlots = kActionSlot;

}  // namespace

Simulator::Simulator(std::uint64_t seed) : master_random_(seed), link_random_(master_random_.array<32>()) {}

Simulator::~Simulator() = default;

NodeIndex Simulator::add_node(CoreFactory factory) { return add_nodes(1, std::move(factory)); }

NodeIndex Simulator::add_nodes(std::size_t count, CoreFactory factory) {
  if (!factory || nodes_.size() + count >= kMaxMessageSlots) std::abort();  // programming error
  const auto first = static_cast<NodeIndex>(nodes_.size());
  const auto factory_id = static_cast<std::uint32_t>(factories_.size());
  factories_.push_back(std::move(factory));
  for (std::size_t i = 0; i < count; ++i) {
    // Each node gets its own stream, forked in index order: adding node k never changes the
    // randomness that nodes 0..k-1 see.
    randoms_.emplace_back(master_random_.array<32>());
    nodes_.emplace_back().factory = factory_id;
    queue_.push(now_, first + static_cast<NodeIndex>(i), kStartSlot);
  }
  return first;
}

void Simulator::set_link(NodeIndex a, NodeIndex b, const LinkProfile& profile) {
  links_.set(a, b, profile);
  links_.set(b, a, profile);
}

void Simulator::set_link_one_way(NodeIndex from, NodeIndex to, const LinkProfile& profile) { links_.set(from, to, profile); }

void Simulator::partition(const std::vector<std::vector<NodeIndex>>& groups) {
  heal();
  std::uint32_t id = 0;
  for (const auto& group : groups) {
    ++id;
    for (NodeIndex n : group) {
      if (n >= nodes_.size()) std::abort();
      nodes_[n].group = id;
    }
  }
}

void Simulator::heal() {
  for (Node& node : nodes_) node.group = 0;
}

void Simulator::crash(NodeIndex index) {
  Node& node = nodes_.at(index);
  if (!node.up) return;
  trace_.record(now_, index, TraceKind::crash, index, {});
  node.core.reset();
  node.up = false;
  node.start_pending = false;
  node.timer_at = kNever;
  ++node.incarnation;  // in-flight messages carry the old value and are dropped on arrival
  ++stats_.crashes;
}

void Simulator::restart(NodeIndex index) {
  Node& node = nodes_.at(index);
  if (node.up) crash(index);
  node.up = true;
  node.start_pending = true;
  ++stats_.restarts;
  queue_.push(now_, index, kStartSlot);
}

void Simulator::crash_at(TimeUs time, NodeIndex node) { queue_.push(std::max(time, now_), node, kCrashSlot); }
void Simulator::restart_at(TimeUs time, NodeIndex node) { queue_.push(std::max(time, now_), node, kRestartSlot); }

void Simulator::at(TimeUs time, std::function<void(Simulator&)> action) {
  actions_.push_back(std::move(action));
  queue_.push(std::max(time, now_), static_cast<std::uint32_t>(actions_.size() - 1), kActionSlot);
}

void Simulator::send_raw(NodeIndex from, NodeIndex to, Bytes payload) { send(from, to, std::move(payload)); }

std::uint64_t Simulator::run_until(TimeUs time) {
  std::uint64_t popped = 0;
  while (!queue_.empty() && queue_.top().time <= time) {
    step();
    ++popped;
  }
  if (time > now_) now_ = time;
  return popped;
}

bool Simulator::step() {
  if (queue_.empty()) return false;
  const ScheduledEvent event = queue_.pop();
  now_ = event.time;
  dispatch(event);
  return true;
}

void Simulator::dispatch(const ScheduledEvent& event) {
  switch (event.slot) {
    case kTimerSlot: fire_timer(event.node, event.time); return;
    case kStartSlot: start_node(event.node); return;
    case kCrashSlot: crash(event.node); return;
    case kRestartSlot: restart(event.node); return;
    case kActionSlot: run_action(event.node); return;
    default: deliver(event.node, event.slot); return;
  }
}

void Simulator::run_action(std::uint32_t index) {
  // Moved out first: the action may schedule more actions (and grow actions_).
  auto action = std::move(actions_[index]);
  actions_[index] = nullptr;
  in_action_ = true;
  action(*this);
  in_action_ = false;
  // A core the action commanded has queued messages or moved its deadline with no event to
  // drain them: drain them now, in the order the action reached the cores.
  for (NodeIndex n : touched_) {
    nodes_[n].touched = false;
    if (nodes_[n].core) flush(n, false);
  }
  touched_.clear();
}

Core* Simulator::core(NodeIndex index) {
  Node& node = nodes_[index];
  if (in_action_ && node.core && !node.touched) {
    node.touched = true;
    touched_.push_back(index);
  }
  return node.core.get();
}

void Simulator::start_node(NodeIndex index) {
  Node& node = nodes_[index];
  if (!node.up || !node.start_pending) return;  // crashed (or restarted again) before it started
  node.start_pending = false;
  node.core = factories_[node.factory](NodeContext{index, node.starts, randoms_[index]});
  ++node.starts;
  if (!node.core) std::abort();  // a factory must build a core
  trace_.record(now_, index, TraceKind::start, index, {});
  ++stats_.events;
  node.core->on_start(now_);
  flush(index, false);
}

void Simulator::deliver(NodeIndex to, std::uint32_t slot) {
  InFlight& message = in_flight_[slot];
  const NodeIndex from = message.source;
  const std::uint32_t incarnation = message.incarnation;
  // Moved out and the slot freed before the core runs: the core's replies reuse slots.
  Bytes payload = std::move(message.payload);
  free_slots_.push_back(slot);

  Node& node = nodes_[to];
  if (!node.up || !node.core || incarnation != node.incarnation) {
    ++stats_.dropped_node_down;
    return;
  }
  if (!can_reach(from, to)) {
    ++stats_.dropped_partition;
    return;
  }
  ++stats_.messages_delivered;
  stats_.bytes_delivered += payload.size();
  ++stats_.events;
  trace_.record(now_, to, TraceKind::receive, from, payload);
  node.core->on_receive(now_, from, payload);
  flush(to, false);
}

void Simulator::fire_timer(NodeIndex index, TimeUs time) {
  Node& node = nodes_[index];
  if (!node.core || time != node.timer_at) return;  // superseded by an earlier deadline, or crashed
  node.timer_at = kNever;
  if (node.core->next_deadline() > now_) {
    // The core moved its deadline later since this event was scheduled: just re-arm.
    flush(index, false);
    return;
  }
  ++stats_.events;
  ++stats_.timeouts;
  trace_.record(now_, index, TraceKind::timeout, index, {});
  node.core->on_timeout(now_);
  flush(index, true);
}

void Simulator::flush(NodeIndex index, bool after_timeout) {
  Node& node = nodes_[index];
  while (auto transmit = node.core->poll_transmit()) send(index, transmit->to, std::move(transmit->payload));

  TimeUs deadline = node.core->next_deadline();
  if (deadline == kNever) return;
  if (deadline < now_) deadline = now_;
  // A core that still wants a timeout right after one would spin forever at one instant;
  // virtual time has microsecond granularity, so its next timeout is one microsecond later.
  if (after_timeout && deadline <= now_) deadline = now_ + 1;
  // Only an earlier deadline needs a new event; a later one is handled when the pending
  // event fires early (fire_timer re-arms), so each node has O(1) live timer events.
  if (deadline < node.timer_at) {
    node.timer_at = deadline;
    queue_.push(deadline, index, kTimerSlot);
  }
}

void Simulator::send(NodeIndex from, PeerHandle to_handle, Bytes payload) {
  ++stats_.messages_sent;
  stats_.bytes_sent += payload.size();
  if (to_handle >= nodes_.size()) {
    ++stats_.dropped_no_route;
    return;
  }
  const auto to = static_cast<NodeIndex>(to_handle);
  const Node& receiver = nodes_[to];
  if (!receiver.up) {
    ++stats_.dropped_node_down;
    return;
  }
  if (!can_reach(from, to)) {
    ++stats_.dropped_partition;
    return;
  }
  const LinkVerdict verdict = links_.transmit(from, to, payload.size(), now_, link_random_);
  switch (verdict.drop) {
    case LinkDrop::loss: ++stats_.dropped_loss; return;
    case LinkDrop::queue_full: ++stats_.dropped_queue_full; return;
    case LinkDrop::none: break;
  }
  const std::uint32_t slot = allocate_slot();
  InFlight& message = in_flight_[slot];
  message.source = from;
  message.incarnation = receiver.incarnation;
  message.payload = std::move(payload);
  queue_.push(verdict.arrival, to, slot);
}

std::uint32_t Simulator::allocate_slot() {
  if (!free_slots_.empty()) {
    std::uint32_t slot = free_slots_.back();
    free_slots_.pop_back();
    return slot;
  }
  if (in_flight_.size() >= kMaxMessageSlots) std::abort();  // four billion messages in flight
  in_flight_.emplace_back();
  return static_cast<std::uint32_t>(in_flight_.size() - 1);
}

std::string Simulator::trace_hash_hex() const { return to_hex(trace_hash()); }

std::size_t Simulator::memory_bytes() const {
  std::size_t bytes = nodes_.capacity() * sizeof(Node) + randoms_.size() * sizeof(SeededRandom);
  bytes += queue_.capacity_bytes() + in_flight_.capacity() * sizeof(InFlight) + free_slots_.capacity() * sizeof(std::uint32_t);
  for (const InFlight& m : in_flight_) bytes += m.payload.capacity();
  bytes += links_.stateful_links() * (sizeof(LinkProfile) + 32);
  return bytes;
}

}  // namespace zmesh::sim
