// OnionService: the client's pool of ready circuits (paths from node/path_selection.hpp over
// the PeerDirectory) and the rotation of this relay's onion keys.
#include <algorithm>

#include "node/onion_service.hpp"
#include "node/path_selection.hpp"

namespace zmesh::node {

std::size_t OnionService::wanted_circuits() const {
  const std::size_t wanted = std::max<std::size_t>(config_.ready_circuits, waiting_.empty() ? 0 : 1);
  return std::min(wanted, relay_.circuits().limits().max_origin_circuits);
}

void OnionService::maintain_pool(Now now) {
  if (!pool_active_ && waiting_.empty()) return;
  pool_active_ = true;
  while (building_ + ready_client_circuits() < wanted_circuits() && now.mono >= next_build_at_) {
    const auto built = build_one(now);
    if (!built.ok()) {
      counters_.last_build_error = built.error().message;
      ++counters_.circuit_build_failures;
      build_backoff_ = std::clamp(build_backoff_ * 2, config_.build_retry_min, config_.build_retry_max);
      next_build_at_ = now.mono + build_backoff_;
      return;
    }
  }
}

Result<onion::CircuitHandle> OnionService::build_one(Now now) {
  const UnixSeconds unix_time = now.unix_seconds();
  const std::vector<NodeDescriptor> relays = directory_.known_descriptors(unix_time, capability::relay);
  PathConstraints constraints;
  constraints.hops = config_.hops;
  constraints.self = self_;
  constraints.now = unix_time;
  ZM_TRY(const std::vector<std::size_t> picked, select_path(relays, constraints, random_));
  std::vector<onion::SetupHop> path;
  for (std::size_t index : picked) {
    const NodeDescriptor& d = relays[index];
    path.push_back(onion::SetupHop::from_descriptor(d.node_id, *d.onion_key_at(unix_time)));
  }
  ZM_TRY(const onion::CircuitHandle circuit, relay_.build_circuit(now, path));
  build_started_[circuit] = now.mono;
  ++building_;
  return circuit;
}

Status OnionService::build_probe_circuit(Now now, ProbeDone done) {
  ZM_TRY(const onion::CircuitHandle circuit, build_one(now));
  --building_;  // not part of the pool
  probes_[circuit] = std::move(done);
  run(now);
  return {};
}

void OnionService::record_build_time(onion::CircuitHandle circuit, Now now) {
  auto it = build_started_.find(circuit);
  if (it == build_started_.end()) return;
  build_times_.push_back(now.mono - it->second);
  if (build_times_.size() > 64) build_times_.pop_front();
  build_started_.erase(it);
}

void OnionService::rotate_keys(Now now) {
  const UnixSeconds unix_time = now.unix_seconds();
  const OnionKeyRotationPlan plan = plan_onion_key_rotation(onion_keys_, unix_time, config_.key_rotation);
  if (plan.any()) {
    for (const OnionKeyId& id : plan.retire) {
      relay_.retire_onion_key(id);
      onion_keys_.erase(std::remove_if(onion_keys_.begin(), onion_keys_.end(),
                                       [&](const OnionKeyPair& key) { return key.id() == id; }),
                        onion_keys_.end());
    }
    if (plan.generate && onion_keys_.size() < kMaxOnionKeys) {
      OnionKeyPair key = OnionKeyPair::generate(random_, unix_time, config_.key_rotation.lifetime);
      if (relay_.add_onion_key(key).ok()) onion_keys_.push_back(std::move(key));
    }
    ++counters_.key_rotations;
    if (host_ != nullptr) host_->log(log::Level::info, "onion: rotated onion keys (" + std::to_string(onion_keys_.size()) + " held)");
    if (keys_changed_) keys_changed_(onion_keys_);
  }
  const UnixSeconds next = next_onion_key_rotation(onion_keys_, config_.key_rotation);
  next_key_check_ = std::max(now.mono_at_unix(std::max(next, unix_time + 1)), now.mono + kSecond);
}

}  // namespace zmesh::node
