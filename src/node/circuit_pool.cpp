#include "node/circuit_pool.hpp"

#include <algorithm>

#include "node/path_selection.hpp"

namespace zmesh::node {

using onion::CircuitHandle;

CircuitPool::CircuitPool(const NodeId& self, PeerDirectory& directory, RandomSource& random, onion::OnionRelay& relay,
                         CircuitPoolConfig config)
    : self_(self), directory_(directory), random_(random), relay_(relay), config_(config) {}

std::size_t CircuitPool::wanted(std::size_t waiting_streams) const {
  const std::size_t wanted = std::max<std::size_t>(config_.ready_circuits, waiting_streams == 0 ? 0 : 1);
  return std::min(wanted, relay_.circuits().limits().max_origin_circuits);
}

void CircuitPool::maintain(Now now, std::size_t waiting_streams) {
  if (waiting_streams > 0) active_ = true;
  if (!active_) return;
  while (building_ + fresh_count() < wanted(waiting_streams) && now.mono >= next_build_at_) {
    const auto built = build_one(now);
    if (!built.ok()) {
      failed(now, built.error().message);
      return;
    }
    ++building_;
  }
}

void CircuitPool::failed(Now now, std::string error) {
  ++counters_.build_failures;
  counters_.last_build_error = std::move(error);
  next_build_at_ = now.mono + backoff_delay(config_.build_backoff, failures_, random_);
  if (failures_ < 64) ++failures_;
}

Result<CircuitHandle> CircuitPool::build_one(Now now) {
  const UnixSeconds unix_time = now.unix_seconds();
  const std::vector<NodeDescriptor> relays = directory_.known_descriptors(unix_time, capability::relay);
  PathConstraints constraints;
  constraints.hops = config_.hops;
  constraints.self = self_;
  constraints.now = unix_time;
  auto selected = select_path(relays, constraints, random_);
  if (!selected.ok()) {
    counters_.path_unavailable = selected.error().message;
    return selected.error();
  }
  counters_.path_unavailable.clear();
  const std::vector<std::size_t>& picked = *selected;
  std::vector<onion::SetupHop> path;
  for (std::size_t index : picked) {
    const NodeDescriptor& d = relays[index];
    path.push_back(onion::SetupHop::from_descriptor(d.node_id, *d.onion_key_at(unix_time)));
  }
  ZM_TRY(const CircuitHandle circuit, relay_.build_circuit(now, path));
  build_started_[circuit] = now.mono;
  return circuit;
}

Status CircuitPool::build_probe(Now now, ProbeDone done) {
  ZM_TRY(const CircuitHandle circuit, build_one(now));
  probes_[circuit] = std::move(done);
  return {};
}

void CircuitPool::record_build_time(CircuitHandle circuit, Now now) {
  auto it = build_started_.find(circuit);
  if (it == build_started_.end()) return;
  build_times_.push_back(now.mono - it->second);
  if (build_times_.size() > 64) build_times_.pop_front();
  build_started_.erase(it);
}

bool CircuitPool::on_ready(Now now, CircuitHandle circuit) {
  record_build_time(circuit, now);
  if (auto probe = probes_.find(circuit); probe != probes_.end()) {
    ProbeDone done = std::move(probe->second);
    probes_.erase(probe);
    const DurationUs took = build_times_.empty() ? 0 : build_times_.back();
    relay_.close_circuit(now, circuit);
    done(took);
    return false;
  }
  if (building_ > 0) --building_;
  failures_ = 0;
  ++counters_.circuits_built;
  const TimeUs until = now.mono + config_.circuit_fresh_for;
  fresh_until_.emplace(until, circuit);
  fresh_end_[circuit] = until;
  ready_at_[circuit] = now.mono;
  return true;
}

void CircuitPool::on_closed(Now now, const onion::CircuitClosed& closed) {
  build_started_.erase(closed.circuit);
  if (auto probe = probes_.find(closed.circuit); probe != probes_.end()) {
    ProbeDone done = std::move(probe->second);
    probes_.erase(probe);
    done(make_error(Errc::closed, std::string("probe circuit failed: ") + onion::destroy_reason_name(closed.reason)));
    return;
  }
  if (closed.role != onion::CircuitRole::origin) return;
  if (!closed.was_open) {
    if (building_ > 0) --building_;
    failed(now, std::string("setup failed: ") + onion::destroy_reason_name(closed.reason));
  }
  forget(closed.circuit);
}

void CircuitPool::forget(CircuitHandle circuit) {
  build_started_.erase(circuit);
  if (auto it = fresh_end_.find(circuit); it != fresh_end_.end()) {
    fresh_until_.erase({it->second, circuit});
    fresh_end_.erase(it);
  }
  stale_.erase(circuit);
  ready_at_.erase(circuit);
}

void CircuitPool::age(Now now) {
  while (!fresh_until_.empty() && fresh_until_.begin()->first <= now.mono) {
    const CircuitHandle circuit = fresh_until_.begin()->second;
    fresh_until_.erase(fresh_until_.begin());
    fresh_end_.erase(circuit);
    stale_.insert(circuit);
  }
}

void CircuitPool::retire_fresh() {
  for (const auto& [until, circuit] : fresh_until_) stale_.insert(circuit);
  fresh_until_.clear();
  fresh_end_.clear();
}

const char* CircuitPool::state(CircuitHandle circuit) const {
  if (probes_.count(circuit) != 0) return "probe";
  if (fresh_end_.count(circuit) != 0) return "fresh";
  if (stale_.count(circuit) != 0) return "stale";
  if (build_started_.count(circuit) != 0) return "building";
  return nullptr;
}

TimeUs CircuitPool::ready_at(CircuitHandle circuit) const {
  auto it = ready_at_.find(circuit);
  return it == ready_at_.end() ? kNever : it->second;
}

std::vector<CircuitHandle> CircuitPool::take_retirable(const std::function<bool(CircuitHandle)>& busy) {
  std::vector<CircuitHandle> out;
  for (CircuitHandle handle : stale_)
    if (!busy(handle)) out.push_back(handle);
  for (CircuitHandle handle : out) stale_.erase(handle);
  return out;
}

CircuitHandle CircuitPool::pick(const std::function<std::size_t(CircuitHandle)>& load, std::size_t max) const {
  CircuitHandle best{};
  std::size_t fewest = max;
  for (const auto& [until, handle] : fresh_until_) {
    const std::size_t streams = load(handle);
    if (streams < fewest) {
      fewest = streams;
      best = handle;
    }
  }
  return best;
}

TimeUs CircuitPool::next_deadline(std::size_t waiting_streams) const {
  TimeUs deadline = fresh_until_.empty() ? kNever : fresh_until_.begin()->first;
  if ((active_ || waiting_streams > 0) && building_ + fresh_count() < wanted(waiting_streams))
    deadline = std::min(deadline, next_build_at_);
  return deadline;
}

}  // namespace zmesh::node
