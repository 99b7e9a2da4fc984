#include "node/dht_service.hpp"

#include <algorithm>

#include "node/own_descriptor.hpp"
#include "node/transport_url.hpp"

namespace zmesh::node {
namespace {

constexpr DurationUs kRepublishRetry = 60 * kSecond;  // after a failed descriptor publication
constexpr DurationUs kFetchRetry = 10 * kSecond;      // a peer's descriptor was not found yet
constexpr int kFetchAttempts = 3;

}  // namespace

DhtService::DhtService(const NodeIdentity& identity, const std::vector<OnionKeyPair>& onion_keys,
                       RandomSource& random, DhtServiceConfig config)
    : identity_(identity),
      onion_keys_(onion_keys),
      random_(random),
      config_(std::move(config)),
      peers_(config_.peers),
      cache_(config_.max_cached_descriptors) {}

DhtService::~DhtService() = default;

void DhtService::set_listen_urls(std::vector<std::string> urls) {
  if (urls == listen_urls_) return;
  listen_urls_ = std::move(urls);
  if (dht_) republish_at_ = 0;  // at the next timer: a descriptor with the new addresses
}

void DhtService::on_attach(ServiceHost& host) {
  host_ = &host;
  peers_.attach(host);
}

void DhtService::ensure_started(Now now) {
  if (dht_) return;
  // Our contact address travels in every DHT message: the first URL others can dial, or a
  // marker saying that only a link we open can reach us.
  std::string address = "unreachable:" + identity_.id.short_hex();
  for (const auto& url : listen_urls_) {
    if (is_advertisable_url(url) && url.size() <= dht::kMaxAddressBytes) {
      address = url;
      break;
    }
  }
  dht_ = std::make_unique<dht::DhtNode>(dht::Contact{identity_.id, address}, config_.dht, random_, peers_, verifier_);
  dht_->on_start(now);
  auto signed_own = sign_own(now);
  if (!signed_own.ok()) {
    host_->log(log::Level::warn, "dht: cannot publish our descriptor: " + signed_own.error().message);
    republish_at_ = now.mono + kRepublishRetry;
  }
}

Result<dht::Record> DhtService::sign_own(Now now) {
  const UnixSeconds unix_time = now.unix_seconds();
  OwnDescriptorParams params;
  params.listen_urls = listen_urls_;
  params.capabilities = config_.capabilities;
  params.bandwidth_kib_per_s = config_.bandwidth_kib_per_s;
  params.now = unix_time;
  params.lifetime = config_.descriptor_lifetime;
  // Unix seconds keep sequences growing across restarts; +1 orders two in the same second.
  params.sequence = own_ ? std::max<std::uint64_t>(own_->sequence + 1, unix_time) : unix_time;
  ZM_TRY(NodeDescriptor descriptor, build_own_descriptor(identity_, onion_keys_, params, random_));
  ZM_TRY(dht::Record record, descriptor_record(descriptor));
  const double lifetime_us = static_cast<double>(descriptor.expires_at - descriptor.created_at) * kSecond;
  // At least a minute apart: a descriptor cut short by an expiring onion key must not be
  // re-signed ever faster as the key runs out (the onion service rotates keys).
  republish_at_ = now.mono + std::max<DurationUs>(kRepublishRetry, static_cast<DurationUs>(lifetime_us * config_.republish_after));
  own_ = std::move(descriptor);
  ++counters_.descriptor_publishes;
  return record;
}

Status DhtService::republish_descriptor(Now now) {
  const bool fresh = !dht_;
  ensure_started(now);
  if (fresh && own_ && !joined_) return {};  // just signed; the join announces it
  ZM_TRY(dht::Record record, sign_own(now));
  if (!joined_) return {};  // the join announces it
  auto put = dht_->put(now, record);
  after_dht(now);
  if (!put.ok()) return put.error();
  return {};
}

void DhtService::after_dht(Now now) {
  run_fetches(now);
  while (auto transmit = dht_->poll_transmit()) peers_.send(now, channel(), transmit->to, transmit->payload);
}

// --- joining -----------------------------------------------------------------------------

void DhtService::start_join(Now now) {
  std::vector<dht::Contact> seeds;
  for (const auto& id : up_) {
    if (seeds.size() >= config_.max_join_seeds) break;
    // Linked peers resolve by their NodeId; the address only matters for a dial.
    seeds.push_back(dht::Contact{id, "linked:" + id.short_hex()});
  }
  if (seeds.empty()) return;
  std::optional<dht::Record> announce;
  if (own_) {
    auto record = descriptor_record(*own_);
    if (record.ok()) announce = std::move(record).value();
    announced_sequence_ = own_->sequence;
  }
  joining_ = true;
  join_retry_at_ = kNever;
  auto op = dht_->join(now, seeds, std::move(announce), [this](Now at, const dht::LookupResult& r) { joined(at, r); });
  if (!op.ok()) {
    joining_ = false;
    join_retry_at_ = now.mono + config_.join_retry;
    host_->log(log::Level::warn, "dht: join failed to start: " + op.error().message);
  }
}

void DhtService::joined(Now now, const dht::LookupResult& result) {
  joining_ = false;
  if (result.closest.empty()) {
    join_retry_at_ = now.mono + config_.join_retry;
    host_->log(log::Level::info, "dht: join found nobody yet, retrying later");
    return;
  }
  const bool first = !joined_;
  joined_ = true;
  if (first) {
    host_->log(log::Level::info, "dht: joined (" + std::to_string(result.closest.size()) + " nodes near us, " +
                                     std::to_string(dht_->routing_table().size()) + " in the routing table)");
  }
  // A descriptor signed while the join ran (key rotation, new addresses) replaces the announced one.
  if (own_ && own_->sequence != announced_sequence_) {
    announced_sequence_ = own_->sequence;
    auto record = descriptor_record(*own_);
    auto put = record.ok() ? dht_->put(now, *record) : Result<std::uint64_t>(record.error());
    if (!put.ok()) host_->log(log::Level::warn, "dht: cannot publish our new descriptor: " + put.error().message);
  }
  for (const auto& id : up_) queue_fetch(id);
  if (first) directory_refresh_at_ = now.mono + config_.directory_refresh_interval;
}

// --- descriptors of peers ------------------------------------------------------------------

void DhtService::queue_fetch(const NodeId& id) {
  if (id == identity_.id || fetching_.count(id) != 0 || fetch_queue_.size() >= config_.max_fetch_queue) return;
  if (std::find(fetch_queue_.begin(), fetch_queue_.end(), id) != fetch_queue_.end()) return;
  fetch_queue_.push_back(id);
}

void DhtService::refresh_directory(Now now) {
  directory_refresh_at_ = now.mono + config_.directory_refresh_interval;
  std::size_t queued = 0;
  const dht::RoutingTable& table = dht_->routing_table();
  for (std::size_t b = 0; b < table.bucket_count() && queued < config_.directory_fetches_per_refresh; ++b) {
    for (const auto& entry : table.bucket(b)) {
      if (queued == config_.directory_fetches_per_refresh) break;
      if (cache_.find(entry.contact.id, now.unix_seconds()) != nullptr) continue;
      queue_fetch(entry.contact.id);
      ++queued;
    }
  }
}

void DhtService::run_fetches(Now now) {
  // A get answered from our own store finishes inside dht_->get(): the loop then goes on.
  while (joined_ && fetching_.size() < config_.max_fetches && !fetch_queue_.empty()) {
    const NodeId id = fetch_queue_.front();
    fetch_queue_.pop_front();
    if (cache_.find(id, now.unix_seconds()) != nullptr) continue;
    fetching_.insert(id);
    auto op = dht_->get(now, id, [this, id](Now at, const dht::LookupResult& r) {
      fetching_.erase(id);
      if (accept_records(id, r.records, at)) return;
      int& attempts = fetch_attempts_[id];
      if (++attempts < kFetchAttempts && up_.count(id) != 0) {
        fetch_retries_.insert({at.mono + kFetchRetry, id});
      } else {
        fetch_attempts_.erase(id);
      }
    });
    if (!op.ok()) {  // operation limit: try again at the next event
      fetching_.erase(id);
      fetch_queue_.push_front(id);
      return;
    }
  }
}

std::optional<NodeDescriptor> DhtService::accept_records(const NodeId& id, const std::vector<dht::Record>& records,
                                                         Now now) {
  std::optional<NodeDescriptor> best;
  const UnixSeconds unix_time = now.unix_seconds();
  for (const auto& record : records) {
    auto descriptor = descriptor_in_record(record);
    if (!descriptor.ok() || (best && best->sequence >= descriptor->sequence)) continue;
    if (!descriptor->verify_for(id, unix_time).ok()) {
      ++counters_.descriptors_refused;
      continue;
    }
    best = std::move(descriptor).value();
  }
  if (best && id != identity_.id) {
    cache_.insert(*best, unix_time);
    fetch_attempts_.erase(id);
  }
  return best;
}

OfferOutcome DhtService::offer_descriptor(Now now, const NodeId& from, NodeDescriptor descriptor) {
  const UnixSeconds unix_time = now.unix_seconds();
  if (from == identity_.id) return OfferOutcome::refused;
  const NodeDescriptor* held = cache_.find(from, unix_time);
  if (held != nullptr && held->sequence >= descriptor.sequence) return OfferOutcome::not_newer;
  if (!descriptor.verify_for(from, unix_time).ok()) {
    ++counters_.descriptors_refused;
    return OfferOutcome::refused;
  }
  cache_.insert(std::move(descriptor), unix_time);
  fetch_attempts_.erase(from);
  return OfferOutcome::accepted;
}

// --- commands and PeerDirectory ------------------------------------------------------------

void DhtService::lookup_descriptor(Now now, const NodeId& id, DescriptorCallback done) {
  ensure_started(now);
  if (id == identity_.id) {
    if (own_ && own_->expires_at > now.unix_seconds()) {
      done(now, *own_);
    } else {
      done(now, make_error(Errc::not_found, "we have no valid descriptor of our own"));
    }
    return;
  }
  if (finds_in_flight_ >= config_.max_finds) {
    done(now, make_error(Errc::limit_exceeded, "too many descriptor lookups in progress"));
    return;
  }
  ++finds_in_flight_;
  ++counters_.descriptor_finds;
  auto op = dht_->get(now, id, [this, id, done](Now at, const dht::LookupResult& r) {
    --finds_in_flight_;
    if (auto descriptor = accept_records(id, r.records, at)) {
      ++counters_.descriptors_found;
      done(at, std::move(*descriptor));
      return;
    }
    const std::string what = "no valid descriptor of " + id.hex() + " in the DHT";
    done(at, make_error(r.timed_out ? Errc::timeout : Errc::not_found,
                    r.timed_out ? what + " (lookup timed out)" : what + " (asked " + std::to_string(r.responses) + " nodes)"));
  });
  if (!op.ok()) {
    --finds_in_flight_;
    done(now, op.error());
    return;
  }
  after_dht(now);
}

void DhtService::find_descriptor(Now now, const NodeId& id, DescriptorCallback done) {
  if (const NodeDescriptor* known = descriptor(id, now.unix_seconds())) {
    done(now, *known);
    return;
  }
  lookup_descriptor(now, id, std::move(done));
}

const NodeDescriptor* DhtService::descriptor(const NodeId& id, UnixSeconds now) const {
  if (id == identity_.id) return own_ && own_->expires_at > now ? &*own_ : nullptr;
  return cache_.find(id, now);
}

std::vector<NodeDescriptor> DhtService::known_descriptors(UnixSeconds now, std::uint32_t required_capabilities) const {
  return cache_.matching(now, required_capabilities, config_.max_known_descriptors);
}

// --- Service events ------------------------------------------------------------------------

void DhtService::on_peer_up(Now now, const PeerInfo& peer) {
  ensure_started(now);
  up_.insert(peer.node_id);
  if (!joining_ && (!joined_ || dht_->routing_table().size() == 0)) {
    start_join(now);
  } else if (joined_) {
    // Its descriptor should come over the link; the DHT only if it does not.
    fetch_retries_.insert({now.mono + config_.linked_descriptor_wait, peer.node_id});
  }
  after_dht(now);
}

void DhtService::on_peer_down(Now now, const NodeId& peer) {
  ensure_started(now);
  up_.erase(peer);
}

void DhtService::on_peer_unreachable(Now now, const NodeId& /*peer*/, std::string_view /*why*/) {
  ensure_started(now);
  peers_.peer_unreachable();
}

void DhtService::on_message(Now now, const NodeId& from, ByteView message) {
  ensure_started(now);
  auto handle = peers_.handle_of(from);
  if (!handle) {
    ++counters_.messages_dropped;
    return;
  }
  dht_->on_receive(now, *handle, message);
  after_dht(now);
}

TimeUs DhtService::next_deadline() const {
  if (!dht_) return 0;  // start at the first timer: the node has started
  TimeUs deadline = std::min(dht_->next_deadline(), republish_at_);
  if (!joined_ && !joining_ && !up_.empty()) deadline = std::min(deadline, join_retry_at_);
  if (!fetch_retries_.empty()) deadline = std::min(deadline, fetch_retries_.begin()->first);
  deadline = std::min(deadline, directory_refresh_at_);
  return deadline;
}

void DhtService::on_timeout(Now now) {
  ensure_started(now);
  if (dht_->next_deadline() <= now.mono) dht_->on_timeout(now);
  if (republish_at_ <= now.mono) {
    republish_at_ = kNever;
    if (auto published = republish_descriptor(now); !published.ok()) {
      host_->log(log::Level::warn, "dht: cannot republish our descriptor: " + published.error().message);
      republish_at_ = now.mono + kRepublishRetry;
    }
  }
  if (join_retry_at_ <= now.mono) {
    join_retry_at_ = kNever;
    if (!joining_ && !up_.empty()) start_join(now);
  }
  while (!fetch_retries_.empty() && fetch_retries_.begin()->first <= now.mono) {
    const NodeId id = fetch_retries_.begin()->second;
    fetch_retries_.erase(fetch_retries_.begin());
    if (up_.count(id) != 0) {
      queue_fetch(id);
    } else {
      fetch_attempts_.erase(id);
    }
  }
  if (directory_refresh_at_ <= now.mono) refresh_directory(now);
  after_dht(now);
}

DhtServiceStats DhtService::stats() const {
  DhtServiceStats s = counters_;
  s.joined = joined_;
  s.descriptors_cached = cache_.size();
  if (dht_) {
    s.routing_table_size = dht_->routing_table().size();
    s.records_stored = dht_->record_store().size();
    s.lookups_started = dht_->stats().lookups_started;
    s.lookups_succeeded = dht_->stats().lookups_succeeded;
  }
  return s;
}

}  // namespace zmesh::node
