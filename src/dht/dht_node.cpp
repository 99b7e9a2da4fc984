#include "dht/dht_node.hpp"

#include <algorithm>

namespace zmesh::dht {
namespace {

// The response type that answers each request type.
MessageType response_to(MessageType request) {
  switch (request) {
    case MessageType::ping: return MessageType::pong;
    case MessageType::find_node: return MessageType::nodes;
    case MessageType::find_value: return MessageType::value;
    case MessageType::store: return MessageType::store_ack;
    default: return request;
  }
}

}  // namespace

DhtNode::DhtNode(Contact self, DhtConfig config, RandomSource& random, AddressBook& book, const RecordVerifier& verifier)
    : self_(std::move(self)),
      config_(config),
      random_(random),
      book_(book),
      verifier_(verifier),
      table_(self_.id, config.routing),
      store_(self_.id, config.store),
      outbox_(config.outbox_messages) {
  config_.lookup.k = config_.routing.k;
}

void DhtNode::on_start(Now now) { next_maintenance_ = now.mono + config_.maintenance_interval; }

Message DhtNode::make(MessageType type, std::uint64_t request_id) const {
  Message m;
  m.type = type;
  m.request_id = request_id;
  m.sender = self_;
  return m;
}

void DhtNode::on_receive(Now now, PeerHandle from, ByteView payload) {
  ++stats_.messages_received;
  auto decoded = decode_message(payload);
  if (!decoded.ok()) {
    ++stats_.rejected_malformed;
    return;
  }
  Message m = std::move(decoded).value();
  if (m.sender.id == self_.id) {
    ++stats_.rejected_forged;
    return;
  }
  // A link that authenticated its peer pins the id: the message cannot claim another one.
  if (auto proven = book_.authenticated_id(from); proven && *proven != m.sender.id) {
    ++stats_.rejected_forged;
    return;
  }
  if (is_request(m.type)) {
    handle_request(now, from, std::move(m));
  } else {
    handle_response(now, from, std::move(m));
  }
  deliver_finished(now);
}

void DhtNode::observe(TimeUs now, const Contact& contact, std::uint64_t op_id) {
  auto op = op_id == 0 ? ops_.end() : ops_.find(op_id);
  const auto bucket = static_cast<std::uint16_t>(table_.bucket_index(contact.id));
  bool may_add = true;
  if (op != ops_.end()) {
    const auto& added = op->second.added_to_bucket;
    may_add = static_cast<std::size_t>(std::count(added.begin(), added.end(), bucket)) < config_.routing.max_added_per_lookup;
  }
  ObserveResult r = table_.observe(contact, now, may_add);
  if (r.outcome == ObserveOutcome::added && op != ops_.end()) op->second.added_to_bucket.push_back(bucket);
  // §2.2: a full bucket pings its least-recently seen contact before letting a newcomer in.
  if (r.probe) send_request(now, *r.probe, make(MessageType::ping, 0), Purpose::probe, 0, 1);
}

void DhtNode::send_response(PeerHandle to, Message m) {
  if (outbox_.push(to, encode_message(m))) {
    ++stats_.messages_sent;
  } else {
    ++stats_.send_failures;
  }
}

void DhtNode::handle_request(Now now, PeerHandle from, Message&& m) {
  ++stats_.requests_received;
  observe(now.mono, m.sender);
  Message reply = make(response_to(m.type), m.request_id);
  switch (m.type) {
    case MessageType::ping: break;
    case MessageType::find_node:
    case MessageType::find_value: {
      if (m.type == MessageType::find_value) {
        reply.records = store_.get(m.target, now.unix_seconds());
        if (reply.records.size() > kMaxRecordsPerMessage) reply.records.resize(kMaxRecordsPerMessage);
      }
      for (auto& c : table_.closest(m.target, config_.routing.k + 1)) {
        if (c.id != m.sender.id && reply.contacts.size() < kMaxContactsPerMessage) reply.contacts.push_back(std::move(c));
      }
      break;
    }
    case MessageType::store: {
      const Record& record = m.records.front();
      Status ok = validate_record(record, now.unix_seconds(), config_.record_max_lifetime, verifier_);
      if (ok.ok()) ok = store_.put(record, now.unix_seconds());
      reply.stored = ok.ok();
      if (ok.ok()) {
        ++stats_.stores_accepted;
      } else {
        ++stats_.stores_refused;
        if (ok.error().code != Errc::limit_exceeded) ++stats_.rejected_records;
      }
      break;
    }
    default: break;
  }
  send_response(from, std::move(reply));
}

void DhtNode::handle_response(Now now, PeerHandle from, Message&& m) {
  auto it = pending_.find(m.request_id);
  if (it == pending_.end()) {
    ++stats_.rejected_unsolicited;
    return;
  }
  // Only the node we asked, over the handle we asked it on, may answer; a stray or forged
  // answer leaves the request pending so that the real one still counts.
  if (it->second.peer != from || it->second.contact.id != m.sender.id) {
    ++stats_.rejected_forged;
    return;
  }
  Pending p = std::move(it->second);
  pending_.erase(it);
  deadlines_.erase({p.deadline, m.request_id});
  if (m.type != response_to(p.type)) {
    ++stats_.rejected_malformed;
    request_failed(now, std::move(p));
    return;
  }
  ++stats_.responses_received;
  observe(now.mono, m.sender, p.purpose == Purpose::lookup ? p.op : 0);
  if (p.purpose == Purpose::store) {
    auto op = ops_.find(p.op);
    if (op == ops_.end()) return;
    if (m.stored) ++op->second.lookup->result().stored_at;
    if (--op->second.stores_outstanding == 0) complete(p.op);
    return;
  }
  if (p.purpose != Purpose::lookup) return;
  auto op = ops_.find(p.op);
  if (op == ops_.end() || !op->second.lookup || op->second.lookup->finished()) return;
  Lookup& lookup = *op->second.lookup;
  std::vector<Record> valid;
  for (auto& record : m.records) {
    if (record.key == lookup.target() &&
        validate_record(record, now.unix_seconds(), config_.record_max_lifetime, verifier_).ok()) {
      valid.push_back(std::move(record));
    } else {
      ++stats_.rejected_records;  // a forged or stale value: ignore it, keep walking
    }
  }
  lookup.on_response(m.sender.id, m.contacts, std::move(valid), now.mono);
  pump(now, p.op);
}

bool DhtNode::send_request(TimeUs now, const Contact& to, Message m, Purpose purpose, std::uint64_t op,
                           std::size_t attempts) {
  if (to.id == self_.id || pending_.size() >= config_.max_pending_requests) {
    ++stats_.send_failures;
    return false;
  }
  const auto peer = book_.resolve(to);
  if (!peer) {
    ++stats_.send_failures;
    return false;
  }
  // A random id: an off-path node cannot guess it, so it cannot inject answers (§ "Wire").
  std::uint64_t id = random_.next_u64();
  while (id == 0 || pending_.count(id) != 0) id = random_.next_u64();
  m.request_id = id;
  Bytes payload = encode_message(m);
  if (!outbox_.push(*peer, payload)) {
    ++stats_.send_failures;
    return false;
  }
  ++stats_.messages_sent;
  ++stats_.requests_sent;
  const TimeUs deadline = now + config_.request_timeout;
  Pending p{*peer, to, m.type, purpose, op, attempts, deadline, {}};
  if (attempts > 1) p.payload = std::move(payload);
  pending_.emplace(id, std::move(p));
  deadlines_.insert({deadline, id});
  return true;
}

void DhtNode::expire_requests(Now now) {
  while (!deadlines_.empty() && deadlines_.begin()->first <= now.mono) {
    const std::uint64_t id = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;
    Pending& p = it->second;
    if (p.attempts_left > 1 && outbox_.push(p.peer, p.payload)) {
      --p.attempts_left;
      p.deadline = now.mono + config_.request_timeout;
      deadlines_.insert({p.deadline, id});
      ++stats_.retries;
      ++stats_.messages_sent;
      continue;
    }
    Pending failed = std::move(p);
    pending_.erase(it);
    ++stats_.timeouts;
    request_failed(now, std::move(failed));
  }
}

void DhtNode::request_failed(Now now, Pending&& p) {
  // A probed oldest contact that stays silent makes room for the newcomer at once (§2.2).
  table_.record_failure(p.contact.id, p.purpose == Purpose::probe);
  auto op = ops_.find(p.op);
  if (p.op == 0 || op == ops_.end()) return;
  if (p.purpose == Purpose::store) {
    if (--op->second.stores_outstanding == 0) complete(p.op);
  } else if (p.purpose == Purpose::lookup && op->second.lookup && !op->second.lookup->finished()) {
    op->second.lookup->on_failure(p.contact.id, now.mono);
    pump(now, p.op);
  }
}

void DhtNode::on_timeout(Now now) {
  expire_requests(now);
  while (!op_deadlines_.empty() && op_deadlines_.begin()->first <= now.mono) {
    const std::uint64_t id = op_deadlines_.begin()->second;
    op_deadlines_.erase(op_deadlines_.begin());
    auto op = ops_.find(id);
    if (op == ops_.end() || !op->second.lookup || op->second.lookup->finished()) continue;
    op->second.lookup->force_finish(now.mono, true);
    lookup_finished(now, id);
  }
  if (now.mono >= next_maintenance_) {
    next_maintenance_ = now.mono + config_.maintenance_interval;
    maintenance(now);
  }
  deliver_finished(now);
}

TimeUs DhtNode::next_deadline() const {
  TimeUs t = next_maintenance_;
  if (!deadlines_.empty()) t = std::min(t, deadlines_.begin()->first);
  if (!op_deadlines_.empty()) t = std::min(t, op_deadlines_.begin()->first);
  return t;
}

std::optional<LookupResult> DhtNode::poll_result() {
  if (results_.empty()) return std::nullopt;
  LookupResult r = std::move(results_.front());
  results_.pop_front();
  return r;
}

}  // namespace zmesh::dht
