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
  extensions_.resize(params_.disjoint_paths);
  result_.id = id;
  result_.kind = kind;
  result_.target = target;
  result_.started_at = now;
}

void Lookup::add(const Contact& contact, std::uint32_t path, std::uint32_t depth, std::uint32_t introducer) {
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
  order.insert(pos, PathEntry{static_cast<std::uint32_t>(index), depth, introducer});
}

void Lookup::seed(const std::vector<Contact>& initial) {
  std::vector<Contact> sorted = initial;
  std::sort(sorted.begin(), sorted.end(), [&](const Contact& a, const Contact& b) { return closer_to(target_, a.id, b.id); });
  std::uint32_t path = 0;
  for (const auto& c : sorted) {
    if (c.id == self_ || index_.count(c.id) != 0) continue;
    add(c, path, 1, kFromOurTable);
    path = static_cast<std::uint32_t>((path + 1) % params_.disjoint_paths);
  }
}

bool Lookup::usable_by(std::uint32_t path, std::size_t candidate) const {
  // A contact another path already queried is not this path's to use (disjointness), so it
  // neither fills this path's window nor lets it converge.
  const Candidate& c = candidates_[candidate];
  return c.state != State::failed && (c.owner == kNoPath || c.owner == path);
}

std::vector<std::size_t> Lookup::path_window(std::uint32_t path, std::size_t limit) const {
  std::vector<std::size_t> members;
  members.reserve(std::min(limit, path_order_[path].size()));
  for (const PathEntry& e : path_order_[path]) {
    if (members.size() >= limit) break;
    if (usable_by(path, e.candidate)) members.push_back(e.candidate);
  }
  return members;
}

std::vector<std::size_t> Lookup::path_queryable(std::uint32_t path) const {
  std::vector<std::size_t> members = path_window(path, params_.k);
  for (std::size_t i : extensions_[path].adopted) {
    if (usable_by(path, i) && std::find(members.begin(), members.end(), i) == members.end()) members.push_back(i);
  }
  return members;
}

bool Lookup::path_settled(std::uint32_t path) const {
  if (in_flight_per_path_[path] != 0) return false;
  for (std::size_t i : path_queryable(path)) {
    if (candidates_[i].state != State::answered) return false;
  }
  return true;
}

bool Lookup::neighbourhood_sparse() const {
  if (radius_ <= 0 || params_.sparse_window_factor <= 0) return false;
  std::vector<double> answered;
  for (const auto& c : candidates_) {
    if (c.state == State::answered) answered.push_back(distance_share(target_, c.contact.id));
  }
  // Fewer than k answered: a small network, nothing to compare with.
  if (answered.size() < params_.k) return false;
  auto kth = answered.begin() + static_cast<std::ptrdiff_t>(params_.k - 1);
  std::nth_element(answered.begin(), kth, answered.end());
  return *kth > params_.sparse_window_factor * radius_;
}

bool Lookup::extend_if_sparse() {
  const std::size_t events = result_.responses + result_.failures;
  if (events == extension_checked_at_) return extension_result_;
  extension_checked_at_ = events;
  extension_result_ = false;
  for (std::uint32_t p = 0; p < params_.disjoint_paths; ++p) {
    if (!path_settled(p)) return false;
  }
  if (!neighbourhood_sparse()) return false;
  for (std::uint32_t p = 0; p < params_.disjoint_paths; ++p) extension_result_ |= try_extend(p);
  return extension_result_;
}

bool Lookup::try_extend(std::uint32_t path) {
  Extension& x = extensions_[path];
  const auto window = path_window(path, params_.k);
  if (x.gave_up || window.empty()) return false;
  const std::size_t farthest = window.back();
  if (!x.adopted.empty()) {
    // The previous batch is in: did its answers bring anything into the k closest?
    x.unproductive = farthest == x.farthest ? x.unproductive + 1 : 0;
    if (x.unproductive >= params_.extension_patience) {
      x.gave_up = true;
      return false;
    }
  }
  x.farthest = farthest;
  auto in_window = [&](std::size_t candidate) {
    return std::find(window.begin(), window.end(), candidate) != window.end();
  };
  // Closest first, in two passes: candidates that someone outside the window told us about
  // (or that came from our own table), then any.
  std::size_t added = 0;
  for (int pass = 0; pass < 2; ++pass) {
    for (const PathEntry& e : path_order_[path]) {
      if (added >= params_.alpha || x.adopted.size() >= params_.max_extension_per_path) break;
      if (candidates_[e.candidate].state != State::fresh || !usable_by(path, e.candidate) || in_window(e.candidate)) continue;
      if (pass == 0 && e.introducer != kFromOurTable && in_window(e.introducer)) continue;
      if (std::find(x.adopted.begin(), x.adopted.end(), e.candidate) != x.adopted.end()) continue;
      x.adopted.push_back(e.candidate);
      ++added;
    }
  }
  if (added == 0) x.gave_up = true;
  return added > 0;
}

bool Lookup::finished() const { return finalized_; }

std::vector<Contact> Lookup::next_queries() {
  std::vector<Contact> out;
  if (finalized_) return out;
  (void)extend_if_sparse();
  for (std::uint32_t path = 0; path < params_.disjoint_paths; ++path) {
    const auto window = path_queryable(path);
    const std::size_t k_closest = path_window(path, params_.k).size();  // the rest were adopted
    for (std::size_t position = 0; position < window.size(); ++position) {
      if (in_flight_per_path_[path] >= params_.alpha) break;
      Candidate& c = candidates_[window[position]];
      if (c.state != State::fresh) continue;
      c.state = State::in_flight;
      c.owner = path;
      c.depth = depth_in(path, window[position]);
      ++in_flight_per_path_[path];
      ++result_.queries_sent;
      result_.extension_queries += position >= k_closest;
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
  for (const auto& contact : contacts) add(contact, path, depth + 1, static_cast<std::uint32_t>(it->second));
  check_done(now);
}

void Lookup::check_done(TimeUs now) {
  if (finalized_) return;
  for (std::uint32_t p = 0; p < params_.disjoint_paths; ++p) {
    if (!path_settled(p)) return;
  }
  if (extend_if_sparse()) return;
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
