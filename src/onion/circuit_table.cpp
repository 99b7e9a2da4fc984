#include "onion/circuit_table.hpp"

#include <algorithm>
#include <cstdlib>

namespace zmesh::onion {

const char* circuit_role_name(CircuitRole role) {
  switch (role) {
    case CircuitRole::origin: return "origin";
    case CircuitRole::middle: return "middle";
    case CircuitRole::last_hop: return "last-hop";
  }
  return "?";
}

Result<Circuit*> CircuitTable::insert(Circuit circuit) {
  if (circuits_.size() >= limits_.max_circuits) return make_error(Errc::limit_exceeded, "circuit table full");
  if (circuit.role == CircuitRole::origin && origin_count_ >= limits_.max_origin_circuits)
    return make_error(Errc::limit_exceeded, "too many circuits of our own");
  if (circuit.has_prev() && created_by(circuit.prev) >= limits_.max_circuits_per_peer)
    return make_error(Errc::limit_exceeded, "peer has too many circuits through us");
  if (circuit.has_prev() && inbound_.count({circuit.prev, circuit.prev_id}) != 0) std::abort();
  if (circuit.has_next() && outbound_.count({circuit.next, circuit.next_id}) != 0) std::abort();

  const std::uint64_t handle = next_handle_++;
  circuit.handle = CircuitHandle{handle};
  if (circuit.has_prev()) {
    inbound_.emplace(LinkKey{circuit.prev, circuit.prev_id}, circuit.handle);
    ++created_by_[circuit.prev];
  }
  if (circuit.has_next()) outbound_.emplace(LinkKey{circuit.next, circuit.next_id}, circuit.handle);
  if (circuit.has_prev()) by_peer_[circuit.prev].insert(handle);
  if (circuit.has_next()) by_peer_[circuit.next].insert(handle);
  if (circuit.role == CircuitRole::origin) ++origin_count_;
  if (!circuit.open) deadlines_.emplace(circuit.setup_deadline, handle);
  auto [it, inserted] = circuits_.emplace(handle, std::move(circuit));
  static_cast<void>(inserted);
  return &it->second;
}

void CircuitTable::erase(CircuitHandle handle) {
  auto it = circuits_.find(handle_value(handle));
  if (it == circuits_.end()) return;
  const Circuit& circuit = it->second;
  if (circuit.has_prev()) {
    inbound_.erase({circuit.prev, circuit.prev_id});
    auto count = created_by_.find(circuit.prev);
    if (count != created_by_.end() && --count->second == 0) created_by_.erase(count);
  }
  if (circuit.has_next()) outbound_.erase({circuit.next, circuit.next_id});
  for (const NodeId* peer : {circuit.has_prev() ? &circuit.prev : nullptr, circuit.has_next() ? &circuit.next : nullptr}) {
    if (peer == nullptr) continue;
    auto handles = by_peer_.find(*peer);
    if (handles == by_peer_.end()) continue;
    handles->second.erase(it->first);
    if (handles->second.empty()) by_peer_.erase(handles);
  }
  if (circuit.role == CircuitRole::origin) --origin_count_;
  if (!circuit.open) deadlines_.erase({circuit.setup_deadline, it->first});
  circuits_.erase(it);
}

void CircuitTable::mark_open(Circuit& circuit) {
  if (circuit.open) return;
  deadlines_.erase({circuit.setup_deadline, handle_value(circuit.handle)});
  circuit.open = true;
  circuit.setup_deadline = kNever;
}

Circuit* CircuitTable::find(CircuitHandle handle) {
  auto it = circuits_.find(handle_value(handle));
  return it == circuits_.end() ? nullptr : &it->second;
}

const Circuit* CircuitTable::find(CircuitHandle handle) const {
  auto it = circuits_.find(handle_value(handle));
  return it == circuits_.end() ? nullptr : &it->second;
}

Circuit* CircuitTable::find_inbound(const NodeId& prev, CircuitId id) {
  auto it = inbound_.find({prev, id});
  return it == inbound_.end() ? nullptr : find(it->second);
}

Circuit* CircuitTable::find_outbound(const NodeId& next, CircuitId id) {
  auto it = outbound_.find({next, id});
  return it == outbound_.end() ? nullptr : find(it->second);
}

Result<CircuitId> CircuitTable::pick_outbound_id(const NodeId& next, RandomSource& random) const {
  // With at most max_circuits ids in use out of 2^32, a few draws always suffice in practice.
  for (int attempt = 0; attempt < 64; ++attempt) {
    const auto id = static_cast<CircuitId>(random.next_u64());
    if (id != 0 && outbound_.count({next, id}) == 0) return id;
  }
  return make_error(Errc::limit_exceeded, "no free circuit id towards the peer");
}

std::vector<CircuitHandle> CircuitTable::through(const NodeId& peer) const {
  std::vector<CircuitHandle> out;
  auto handles = by_peer_.find(peer);
  if (handles == by_peer_.end()) return out;
  out.reserve(handles->second.size());
  for (std::uint64_t handle : handles->second) out.push_back(CircuitHandle{handle});  // in handle order
  return out;
}

std::vector<CircuitHandle> CircuitTable::setups_expired(TimeUs now) const {
  std::vector<CircuitHandle> out;
  for (const auto& [deadline, handle] : deadlines_) {
    if (deadline > now) break;
    out.push_back(CircuitHandle{handle});
  }
  return out;
}

std::size_t CircuitTable::created_by(const NodeId& peer) const {
  auto it = created_by_.find(peer);
  return it == created_by_.end() ? 0 : it->second;
}

}  // namespace zmesh::onion
