// DhtNode operations: starting lookups, pumping them, and what happens when they finish
// (join, put, republish, refresh); plus the periodic maintenance tick.
#include <algorithm>

#include "dht/dht_node.hpp"
#include "dht/distance.hpp"

namespace zmesh::dht {

Result<std::uint64_t> DhtNode::join(Now now, const std::vector<Contact>& seeds, std::optional<Record> announce,
                                    LookupCallback done) {
  // Seeds are not trusted into the table until they answer: they only seed the self-lookup.
  return start(now, OpKind::join, LookupKind::find_node, self_.id, seeds, std::move(done), std::move(announce));
}

Result<std::uint64_t> DhtNode::lookup(Now now, const NodeId& target, LookupCallback done) {
  return start(now, OpKind::user_lookup, LookupKind::find_node, target, {}, std::move(done), std::nullopt);
}

Result<std::uint64_t> DhtNode::get(Now now, const NodeId& key, LookupCallback done) {
  return start(now, OpKind::user_get, LookupKind::find_value, key, {}, std::move(done), std::nullopt);
}

Result<std::uint64_t> DhtNode::put(Now now, const Record& record, LookupCallback done) {
  ZM_CHECK(validate_record(record, now.unix_seconds(), config_.record_max_lifetime, verifier_));
  auto same = std::find_if(published_.begin(), published_.end(), [&](const Published& p) {
    return p.record.key == record.key && p.record.publisher_key == record.publisher_key;
  });
  if (same != published_.end()) {
    same->record = record;
    same->next_republish = now.mono + config_.republish_interval;
  } else if (published_.size() < config_.max_published) {
    published_.push_back(Published{record, now.mono + config_.republish_interval});
  } else {
    return make_error(Errc::limit_exceeded, "dht: too many published records");
  }
  // The publisher holds its own records too: for a record under its own id (a descriptor) it is
  // the closest node to the key, so every lookup for it ends here even before any STORE lands.
  (void)store_.put(record, now.unix_seconds());
  return start(now, OpKind::put, LookupKind::find_node, record.key, {}, std::move(done), record);
}

Result<std::uint64_t> DhtNode::start(Now now, OpKind kind, LookupKind lookup_kind, const NodeId& target,
                                     const std::vector<Contact>& extra_seeds, LookupCallback done,
                                     std::optional<Record> record) {
  if (ops_.size() >= config_.max_lookups) return make_error(Errc::limit_exceeded, "dht: too many operations");
  const std::uint64_t id = next_op_id_++;
  LookupParams params = config_.lookup;
  if (kind == OpKind::refresh) params.disjoint_paths = config_.refresh_disjoint_paths;
  auto lookup = std::make_unique<Lookup>(id, lookup_kind, target, self_.id, params, now.mono);
  lookup->set_neighbourhood_radius(neighbourhood_radius());
  std::vector<Contact> initial = table_.closest(target, config_.routing.k);
  for (const auto& s : extra_seeds) {
    if (initial.size() >= 2 * config_.routing.k) break;
    initial.push_back(s);
  }
  lookup->seed(initial);
  Operation op{kind, std::move(lookup), std::move(done), std::move(record), 0, {}};
  ++stats_.lookups_started;
  if (kind == OpKind::user_get) {
    // Records we hold ourselves answer at once (hop 0).
    auto local = store_.get(target, now.unix_seconds());
    if (!local.empty()) {
      op.lookup->result().records = std::move(local);
      op.lookup->result().found_at = now.mono;
      op.lookup->force_finish(now.mono, false);
    }
  }
  ops_.emplace(id, std::move(op));
  op_deadlines_.insert({now.mono + config_.lookup_deadline, id});
  pump(now, id);
  deliver_finished(now);  // an operation with nobody to ask finishes at once
  return id;
}

void DhtNode::pump(Now now, std::uint64_t op_id) {
  auto it = ops_.find(op_id);
  if (it == ops_.end() || !it->second.lookup) return;
  Lookup& lookup = *it->second.lookup;
  const MessageType type = lookup.kind() == LookupKind::find_value ? MessageType::find_value : MessageType::find_node;
  // A query that cannot even be sent counts as a failure, which may open a slot for another.
  while (!lookup.finished()) {
    std::vector<Contact> queries = lookup.next_queries();
    if (queries.empty()) break;
    for (const auto& c : queries) {
      Message m = make(type, 0);
      m.target = lookup.target();
      if (!send_request(now.mono, c, std::move(m), Purpose::lookup, op_id, 1)) lookup.on_failure(c.id, now.mono);
    }
  }
  lookup.check_done(now.mono);
  if (lookup.finished() && it->second.stores_outstanding == 0) lookup_finished(now, op_id);
}

void DhtNode::lookup_finished(Now now, std::uint64_t op_id) {
  auto it = ops_.find(op_id);
  if (it == ops_.end()) return;
  Operation& op = it->second;
  LookupResult& result = op.lookup->result();
  table_.touch_bucket_of(result.target, now.mono);
  if (op.lookup->kind() == LookupKind::find_node) learn_neighbourhood(result);
  switch (op.kind) {
    case OpKind::put:
    case OpKind::republish: {
      // §2.3 STORE: at the k closest nodes the lookup found alive.
      for (const auto& c : result.closest) {
        Message m = make(MessageType::store, 0);
        m.records.push_back(*op.record);
        if (send_request(now.mono, c, std::move(m), Purpose::store, op_id, config_.request_attempts)) ++op.stores_outstanding;
      }
      if (op.stores_outstanding == 0) complete(op_id);
      return;
    }
    case OpKind::join: {
      joined_ = true;
      std::optional<Record> announce = std::move(op.record);
      complete(op_id);
      if (config_.refresh_on_join) refresh_far_buckets(now);
      if (announce) (void)put(now, *announce);
      return;
    }
    default: complete(op_id);
  }
}

void DhtNode::complete(std::uint64_t op_id) {
  auto it = ops_.find(op_id);
  if (it == ops_.end()) return;
  Operation op = std::move(it->second);
  ops_.erase(it);
  LookupResult result = std::move(op.lookup->result());
  ++stats_.lookups_finished;
  stats_.lookup_rounds_total += result.rounds;
  stats_.lookup_queries_total += result.queries_sent;
  const bool success = op.kind == OpKind::user_get ? !result.records.empty()
                       : (op.kind == OpKind::put || op.kind == OpKind::republish) ? result.stored_at > 0
                                                                                  : !result.closest.empty();
  if (success) ++stats_.lookups_succeeded;
  if (op.kind == OpKind::refresh || op.kind == OpKind::republish) return;
  finished_.emplace_back(std::move(result), std::move(op.done));
}

void DhtNode::deliver_finished(Now now) {
  // Delivered after the event is handled, so a callback may issue new commands safely.
  while (!finished_.empty()) {
    auto batch = std::move(finished_);
    finished_.clear();
    for (auto& [result, done] : batch) {
      if (done) {
        done(now, result);
      } else {
        if (results_.size() >= config_.max_queued_results) results_.pop_front();
        results_.push_back(std::move(result));
      }
    }
  }
}

double DhtNode::neighbourhood_radius() const {
  // Our own k closest contacts: found by the join's self-lookup, kept up by those who look us
  // up, but often incomplete (one lookup adds at most 2 contacts to a bucket), so this tends
  // to overestimate: a lenient yardstick. Our converged lookups measure the real thing; their
  // median is not moved by the few that colluders captured.
  const auto near = table_.closest(self_.id, config_.routing.k);
  double radius = near.size() >= config_.routing.k ? distance_share(self_.id, near.back().id) : 0;
  const std::size_t n = std::min(radius_sampled_, kRadiusSamples);
  if (n == 0) return radius;
  std::array<double, kRadiusSamples> sorted = radius_samples_;
  const auto middle = sorted.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(sorted.begin(), middle, sorted.begin() + static_cast<std::ptrdiff_t>(n));
  return radius > 0 ? std::min(radius, *middle) : *middle;
}

void DhtNode::learn_neighbourhood(const LookupResult& result) {
  // Only converged lookups with k answers describe a neighbourhood.
  if (result.timed_out || result.closest.size() < config_.routing.k) return;
  radius_samples_[radius_sampled_ % kRadiusSamples] = distance_share(result.target, result.closest.back().id);
  ++radius_sampled_;
}

void DhtNode::refresh_far_buckets(Now now) {
  // §2.3: after joining, refresh every bucket farther away than our closest neighbour.
  auto nearest = table_.closest(self_.id, 1);
  if (nearest.empty()) return;
  const std::size_t limit = table_.bucket_index(nearest.front().id);
  std::size_t started = 0;
  for (std::size_t i = 0; i < limit && started < config_.join_refresh_limit; ++i, ++started) {
    const NodeId target = random_id_in_bucket(self_.id, static_cast<int>(i), random_);
    if (!start(now, OpKind::refresh, LookupKind::find_node, target, {}, {}, std::nullopt).ok()) return;
  }
}

void DhtNode::maintenance(Now now) {
  const UnixSeconds unix_time = now.unix_seconds();
  store_.drop_expired(unix_time);
  // Republish our own records before they fade from holders that crashed or evicted them.
  published_.erase(std::remove_if(published_.begin(), published_.end(),
                                  [&](const Published& p) { return p.record.expires_at <= unix_time; }),
                   published_.end());
  for (auto& p : published_) {
    if (p.next_republish > now.mono) continue;
    if (!start(now, OpKind::republish, LookupKind::find_node, p.record.key, {}, {}, p.record).ok()) break;
    p.next_republish = now.mono + config_.republish_interval;
  }
  if (!joined_) return;
  // §2.3: refresh buckets no lookup went through in the last refresh_interval.
  std::size_t started = 0;
  for (std::size_t i = 0; i < table_.bucket_count() && started < config_.refreshes_per_tick; ++i) {
    if (table_.bucket(i).empty() || now.mono - table_.bucket_touched(i) < config_.refresh_interval) continue;
    table_.touch_bucket_of(random_id_in_bucket(self_.id, static_cast<int>(i), random_), now.mono);
    const NodeId target = random_id_in_bucket(self_.id, static_cast<int>(i), random_);
    if (!start(now, OpKind::refresh, LookupKind::find_node, target, {}, {}, std::nullopt).ok()) break;
    ++started;
  }
}

}  // namespace zmesh::dht
