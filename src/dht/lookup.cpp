#include "dht/lookup.hpp"

#include <algorithm>

#include "dht/distance.hpp"

namespace zmesh::dht {

Lookup::Lookup(std::uint64_t id, LookupKind kind, const NodeId& target, const NodeId& self, LookupParams params,
               TimeUs now)
    : kind_(kind), target_(target), self_(self), params_(params) {
  params_.disjoint_paths = std::clamp<std::size_t>(params_.disjoint_paths, 1, kMaxDisjointPaths);
  params_.alpha = std::max<std::size_t>(1, params_.alpha);
  in_flight_per_path_.assign(params_.disjoint_paths, 0);
  path_order_.resize(params_.disjoint_paths);
  result_.id = id;
  result_.kind = kind;
  result_.target = target;
  result_.started_at = now;
}

void Lookup::add(const Contact& contact, std::uint32_t path, std::uint32_t depth) {
  if (contact.id == target_) result_.target_seen = true;
  if (contact.id == self_) return;
  std::size_t index;
  if (auto it = index_.find(contact.id); it != index_.end()) {
    index = it->second;
  } else {
    if (candidates_.size() >= params_.max_candidates) return;
    index = candidates_.size();
    index_.emplace(contact.id, index);
    candidates_.push_back(Candidate{contact});
  }
  const std::uint32_t bit = std::uint32_t{1} << path;
  if (candidates_[index].known_by & bit) return;
  candidates_[index].known_by |= bit;
  auto& order = path_order_[path];
  const NodeId& id = candidates_[index].contact.id;
  auto pos = std::lower_bound(order.begin(), order.end(), id, [&](const PathEntry& e, const NodeId& x) {
    return closer_to(target_, candidates_[e.candidate].contact.id, x);
  });
  order.insert(pos, PathEntry{static_cast<std::uint32_t>(index), depth});
}

void Lookup::seed(const std::vector<Contact>& initial) {
  std::vector<Contact> sorted = initial;
  std::sort(sorted.begin(), sorted.end(), [&](const Contact& a, const Contact& b) { return closer_to(target_, a.id, b.id); });
  std::uint32_t path = 0;
  for (const auto& c : sorted) {
    if (c.id == self_ || index_.count(c.id) != 0) continue;
    add(c, path, 1);
    path = static_cast<std::uint32_t>((path + 1) % params_.disjoint_paths);
  }
}

std::vector<std::size_t> Lookup::path_window(std::uint32_t path) const {
  // A contact another path already queried is not this path's to use (disjointness), so it
  // neither fills this path's window nor lets it converge.
  std::vector<std::size_t> members;
  members.reserve(params_.k);
  for (const PathEntry& e : path_order_[path]) {
    if (members.size() >= params_.k) break;
    const Candidate& c = candidates_[e.candidate];
    if (c.state == State::failed || (c.owner != kNoPath && c.owner != path)) continue;
    members.push_back(e.candidate);
  }
  return members;
}

bool Lookup::path_done(std::uint32_t path) const {
  if (in_flight_per_path_[path] != 0) return false;
  for (std::size_t i : path_window(path)) {
    if (candidates_[i].state != State::answered) return false;
  }
  return true;
}

bool Lookup::finished() const { return finalized_; }

std::vector<Contact> Lookup::next_queries() {
  std::vector<Contact> out;
  if (finalized_) return out;
  for (std::uint32_t path = 0; path < params_.disjoint_paths; ++path) {
    for (std::size_t i : path_window(path)) {
      if (in_flight_per_path_[path] >= params_.alpha) break;
      Candidate& c = candidates_[i];
      if (c.state != State::fresh) continue;
      c.state = State::in_flight;
      c.owner = path;
      c.depth = depth_in(path, i);
      ++in_flight_per_path_[path];
      ++result_.queries_sent;
      out.push_back(c.contact);
    }
  }
  return out;
}

std::uint32_t Lookup::depth_in(std::uint32_t path, std::size_t candidate) const {
  for (const PathEntry& e : path_order_[path]) {
    if (e.candidate == candidate) return e.depth;
  }
  return 1;
}

void Lookup::on_response(const NodeId& from, const std::vector<Contact>& contacts, std::vector<Record> records,
                         TimeUs now) {
  auto it = index_.find(from);
  if (it == index_.end() || finalized_) return;
  Candidate& c = candidates_[it->second];
  if (c.state != State::in_flight) return;
  c.state = State::answered;
  --in_flight_per_path_[c.owner];
  ++result_.responses;
  const std::uint32_t path = c.owner;
  const std::uint32_t depth = c.depth;
  result_.rounds = std::max<std::size_t>(result_.rounds, depth);
  if (from == target_ && !result_.target_responded) {
    result_.target_responded = true;
    result_.target_hops = depth;
    result_.found_at = now;
  }
  if (kind_ == LookupKind::find_value && !records.empty()) {
    if (!value_found_) {
      value_found_ = true;
      result_.target_hops = depth;
      result_.found_at = now;
    }
    for (auto& r : records) {
      if (result_.records.size() < kMaxRecordsPerResult && std::find(result_.records.begin(), result_.records.end(), r) == result_.records.end())
        result_.records.push_back(std::move(r));
    }
    // Kademlia §2.3: a FIND_VALUE stops as soon as a value is found.
    finalize(now);
    return;
  }
  for (const auto& contact : contacts) add(contact, path, depth + 1);
  check_done(now);
}

void Lookup::check_done(TimeUs now) {
  if (finalized_) return;
  for (std::uint32_t p = 0; p < params_.disjoint_paths; ++p) {
    if (!path_done(p)) return;
  }
  finalize(now);
}

void Lookup::on_failure(const NodeId& from, TimeUs now) {
  auto it = index_.find(from);
  if (it == index_.end() || finalized_) return;
  Candidate& c = candidates_[it->second];
  if (c.state != State::in_flight) return;
  c.state = State::failed;
  --in_flight_per_path_[c.owner];
  ++result_.failures;
  check_done(now);
}

void Lookup::force_finish(TimeUs now, bool timed_out) {
  if (finalized_) return;
  result_.timed_out = timed_out;
  finalize(now);
}

void Lookup::finalize(TimeUs now) {
  finalized_ = true;
  result_.finished_at = now;
  std::vector<const Candidate*> answered;
  for (const auto& c : candidates_) {
    if (c.state == State::answered) answered.push_back(&c);
  }
  const std::size_t n = std::min(params_.k, answered.size());
  std::partial_sort(answered.begin(), answered.begin() + static_cast<std::ptrdiff_t>(n), answered.end(),
                    [&](const Candidate* a, const Candidate* b) { return closer_to(target_, a->contact.id, b->contact.id); });
  result_.closest.clear();
  for (std::size_t i = 0; i < n; ++i) result_.closest.push_back(answered[i]->contact);
}

}  // namespace zmesh::dht
