#include "sim/node_simulator.hpp"

#include <cstdlib>

#include "crypto/secure.hpp"
#include "sim/sim_clock.hpp"
#include "sim/sim_events.hpp"

namespace zmesh::sim {

NodeSimulator::NodeSimulator(std::uint64_t seed, NodeSimulatorConfig config)
    : config_(std::move(config)), master_random_(seed), link_random_(master_random_.array<32>()) {
  crypto::init();
}

NodeSimulator::~NodeSimulator() {
  // Cores first (their services may still call back into tallies and keys kept here).
  for (Host& host : hosts_) host.node.reset();
}

NodeIndex NodeSimulator::add_node(const WholeNodeConfig& config, std::vector<NodeIndex> seeds, TimeUs start_at) {
  if (hosts_.size() >= kMaxEventIndex) std::abort();  // programming error: the event encoding is full
  const auto index = static_cast<NodeIndex>(hosts_.size());
  Host& host = hosts_.emplace_back();
  host.config = &config;
  host.seeds = std::move(seeds);
  // Forked in index order: adding node k never changes the randomness nodes 0..k-1 see.
  randoms_.emplace_back(master_random_.array<32>());
  keys_.emplace_back();
  tallies_.emplace_back();
  queue_.push(std::max(start_at, now_), 0, event_slot(EventKind::start, index));
  return index;
}

void NodeSimulator::set_link(NodeIndex a, NodeIndex b, const LinkProfile& profile) {
  links_.set(a, b, profile);
  links_.set(b, a, profile);
}

// --- faults ---

void NodeSimulator::partition(const std::vector<std::vector<NodeIndex>>& groups) {
  for (Host& host : hosts_) host.group = 0;
  std::uint32_t id = 0;
  for (const auto& group : groups) {
    ++id;
    for (NodeIndex n : group) hosts_.at(n).group = id;
  }
  ++partition_epoch_;
  trace_.record(now_, 0, TraceKind::partition, partition_epoch_, {});
  // Every connection now cut breaks unless the partition heals within transport_timeout.
  for (std::uint32_t slot = 0; slot < connections_.size(); ++slot) {
    const Connection& c = connections_[slot];
    if (c.in_use && !can_reach(c.ends[0].node, c.ends[1].node))
      queue_.push(now_ + config_.transport_timeout, partition_epoch_, event_slot(EventKind::partition_check, slot));
  }
}

void NodeSimulator::heal() {
  for (Host& host : hosts_) host.group = 0;
  ++partition_epoch_;
  trace_.record(now_, 0, TraceKind::partition, partition_epoch_, {});
  resume_stalled();
}

void NodeSimulator::crash(NodeIndex index) {
  Host& host = hosts_.at(index);
  if (!host.up) return;
  trace_.record(now_, index, TraceKind::crash, index, {});
  kill_connections(index);
  if (host.node) retired_.add(host.node->totals());
  host.node.reset();
  host.up = false;
  host.start_pending = false;
  host.frozen = false;
  host.timer_at = kNever;
  ++host.incarnation;
  ++stats_.crashes;
}

void NodeSimulator::restart(NodeIndex index) {
  Host& host = hosts_.at(index);
  if (host.up) crash(index);
  host.up = true;
  host.start_pending = true;
  ++stats_.restarts;
  queue_.push(now_, 0, event_slot(EventKind::start, index));
}

void NodeSimulator::freeze(NodeIndex index) {
  Host& host = hosts_.at(index);
  if (!host.up || host.frozen) return;
  trace_.record(now_, index, TraceKind::freeze, 1, {});
  host.frozen = true;
}

void NodeSimulator::thaw(NodeIndex index) {
  Host& host = hosts_.at(index);
  if (!host.frozen) return;
  trace_.record(now_, index, TraceKind::freeze, 0, {});
  host.frozen = false;
  resume_stalled();
  if (host.node) drain(index);  // re-arms the timer it missed
}

void NodeSimulator::crash_at(TimeUs time, NodeIndex node) {
  queue_.push(std::max(time, now_), 0, event_slot(EventKind::crash, node));
}

void NodeSimulator::restart_at(TimeUs time, NodeIndex node) {
  queue_.push(std::max(time, now_), 0, event_slot(EventKind::restart, node));
}

void NodeSimulator::at(TimeUs time, std::function<void(NodeSimulator&)> action) {
  if (actions_.size() >= kMaxEventIndex) std::abort();
  actions_.push_back(std::move(action));
  queue_.push(std::max(time, now_), 0, event_slot(EventKind::action, static_cast<std::uint32_t>(actions_.size() - 1)));
}

// --- running ---

std::uint64_t NodeSimulator::run_until(TimeUs time) {
  std::uint64_t popped = 0;
  while (!queue_.empty() && queue_.top().time <= time) {
    step();
    ++popped;
  }
  if (time > now_) now_ = time;
  return popped;
}

bool NodeSimulator::run_until_true(const std::function<bool()>& done, DurationUs limit, DurationUs check_every) {
  const TimeUs end = now_ + limit;
  while (!done()) {
    if (now_ >= end) return false;
    run_until(std::min(end, now_ + check_every));
  }
  return true;
}

bool NodeSimulator::step() {
  if (queue_.empty()) return false;
  const ScheduledEvent event = queue_.pop();
  now_ = event.time;
  dispatch(event);
  return true;
}

void NodeSimulator::dispatch(const ScheduledEvent& event) {
  const std::uint32_t index = event_index(event.slot);
  switch (event_kind(event.slot)) {
    case EventKind::deliver: deliver(index, event.node); return;
    case EventKind::timer: fire_timer(index, event.time); return;
    case EventKind::start: start_node(index); return;
    case EventKind::crash: crash(index); return;
    case EventKind::restart: restart(index); return;
    case EventKind::action: run_action(index); return;
    case EventKind::dial: dial_arrived(index); return;
    case EventKind::partition_check: check_partition(index, event.node); return;
  }
}

void NodeSimulator::ensure_keys(NodeIndex index) {
  if (keys_[index]) return;
  keys_[index] = std::make_unique<NodeKeys>(NodeKeys::generate(randoms_[index], sim_unix_seconds(now_)));
}

void NodeSimulator::start_node(NodeIndex index) {
  Host& host = hosts_[index];
  if (!host.up || !host.start_pending) return;  // crashed (or restarted again) before it started
  host.start_pending = false;
  ensure_keys(index);
  std::vector<std::string> seed_urls;
  for (NodeIndex seed : host.seeds) seed_urls.push_back(url_of(seed));
  const WholeNodeContext context{index, host.starts, randoms_[index], *keys_[index], tallies_[index], url_of(index),
                                 std::move(seed_urls)};
  host.node = std::make_unique<WholeNode>(context, *host.config);
  ++host.starts;
  trace_.record(now_, index, TraceKind::start, index, {});
  ++stats_.events;
  host.node->start(node_time(now_));
  drain(index);
}

void NodeSimulator::fire_timer(NodeIndex index, TimeUs time) {
  Host& host = hosts_[index];
  if (!host.node || time != host.timer_at) return;  // superseded, or crashed
  host.timer_at = kNever;
  if (host.frozen) return;  // thaw() re-arms it
  if (host.node->core().next_deadline() > now_) {
    drain(index);  // the deadline moved later since this event was scheduled: just re-arm
    return;
  }
  ++stats_.events;
  ++stats_.timeouts;
  trace_.record(now_, index, TraceKind::timeout, index, {});
  host.node->core().on_timeout(node_time(now_));
  drain(index, true);
}

void NodeSimulator::run_action(std::uint32_t index) {
  auto action = std::move(actions_[index]);  // the action may schedule more (and grow actions_)
  actions_[index] = nullptr;
  in_action_ = true;
  action(*this);
  in_action_ = false;
  for (NodeIndex n : touched_) {
    hosts_[n].touched = false;
    if (hosts_[n].node) drain(n);
  }
  touched_.clear();
}

WholeNode* NodeSimulator::node(NodeIndex index) {
  Host& host = hosts_.at(index);
  if (in_action_ && host.node && !host.touched) {
    host.touched = true;
    touched_.push_back(index);
  }
  return host.node.get();
}

NodeId NodeSimulator::node_id(NodeIndex index) const {
  const auto& keys = keys_.at(index);
  return keys ? keys->identity.id : NodeId{};
}

void NodeSimulator::drain(NodeIndex index, bool after_timeout) {
  Host& host = hosts_[index];  // actions never add hosts: the reference stays valid
  WholeNode& node = *host.node;
  for (;;) {
    while (auto action = node.core().poll_action()) execute(index, std::move(*action));
    if (!node.poll(node_time(now_))) break;
  }
  TimeUs deadline = node.core().next_deadline();
  if (deadline == kNever) return;
  if (deadline < now_) deadline = now_;
  // A node that still wants a timeout right after one would spin at one instant; its next
  // timeout is one microsecond later (as in Simulator::flush).
  if (after_timeout && deadline <= now_) deadline = now_ + 1;
  if (deadline < host.timer_at) {  // a later deadline is re-armed when the pending event fires
    host.timer_at = deadline;
    queue_.push(deadline, 0, event_slot(EventKind::timer, index));
  }
}

void NodeSimulator::execute(NodeIndex index, node::Action&& action) {
  if (auto* send_bytes = std::get_if<node::SendBytes>(&action)) {
    send(index, send_bytes->connection, std::move(send_bytes->message));
  } else if (auto* close_connection = std::get_if<node::CloseConnection>(&action)) {
    close(index, close_connection->connection);
  } else if (auto* dial_url = std::get_if<node::DialUrl>(&action)) {
    dial(index, *dial_url);
  } else if (auto* line = std::get_if<node::LogLine>(&action)) {
    log_line(index, *line);
  }
}

void NodeSimulator::log_line(NodeIndex index, const node::LogLine& line) {
  ++stats_.log_lines;
  if (line.level >= log::Level::warn) ++stats_.warnings;
  if (config_.on_log) config_.on_log(index, line);
}

// --- inspection ---

NodeTally NodeSimulator::total_tally() const {
  NodeTally total;
  for (const NodeTally& t : tallies_) {
    total.streams.add(t.streams);
    total.lookups_ok += t.lookups_ok;
    total.lookups_failed += t.lookups_failed;
    if (!t.last_lookup_failure.empty()) total.last_lookup_failure = t.last_lookup_failure;
  }
  return total;
}

NodeServiceTotals NodeSimulator::service_totals() const {
  NodeServiceTotals total = retired_;
  for (const Host& host : hosts_)
    if (host.node) total.add(host.node->totals());
  return total;
}

std::string NodeSimulator::trace_hash_hex() const { return to_hex(trace_hash()); }

}  // namespace zmesh::sim
