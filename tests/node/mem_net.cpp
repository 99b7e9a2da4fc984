#include "node/mem_net.hpp"

#include <gtest/gtest.h>

#include "crypto/secure.hpp"

namespace zmesh::node::test {

const NodeIdentity& identity(std::size_t which) {
  static const std::vector<std::unique_ptr<NodeIdentity>> identities = [] {
    crypto::init();
    SeededRandom random(0x90de);
    std::vector<std::unique_ptr<NodeIdentity>> out;
    for (int i = 0; i < 8; ++i) out.push_back(std::make_unique<NodeIdentity>(NodeIdentity::generate(random)));
    return out;
  }();
  return *identities.at(which);
}

NodeConfig with_peers(std::vector<std::string> urls) {
  NodeConfig config;
  config.peers = std::move(urls);
  return config;
}

bool MemNet::linked(NodeIndex x, NodeIndex y) const {
  const Host& hx = hosts_[x];
  const Host& hy = hosts_[y];
  return hx.core && hy.core && hx.core->is_up(hy.identity->id) && hy.core->is_up(hx.identity->id);
}

std::pair<MemNet::NodeIndex, MemNet::NodeIndex> MemNet::add_linked_pair(NodeConfig a_config, NodeConfig b_config) {
  b_config.peers.push_back("mem://a");
  const NodeIndex a = add_node(0, std::move(a_config), {"mem://a"});
  const NodeIndex b = add_node(1, std::move(b_config));
  start(a);
  start(b);
  EXPECT_TRUE(run_until_true([&] { return linked(a, b); }, 5 * kSecond)) << logs(a) << logs(b);
  return {a, b};
}

MemNet::MemNet(std::uint64_t seed, DurationUs latency) : random_(seed), latency_(latency) {}

MemNet::NodeIndex MemNet::add_node(std::size_t identity_index, NodeConfig config, std::vector<std::string> listen_urls,
                                   std::vector<Service*> extra_services) {
  const NodeIndex index = hosts_.size();
  Host host;
  host.identity = &identity(identity_index);
  host.config = std::move(config);
  host.listen_urls = std::move(listen_urls);
  host.extra_services = std::move(extra_services);
  host.random = std::make_unique<SeededRandom>(random_.next_u64());
  for (const auto& url : host.listen_urls) listeners_[url] = index;
  hosts_.push_back(std::move(host));
  incarnations_.push_back(0);
  return index;
}

void MemNet::start(NodeIndex node) {
  Host& h = hosts_[node];
  if (h.core) return;
  h.frozen = false;
  h.timer_at = kNever;
  h.core = std::make_unique<NodeCore>(*h.identity, *h.random, h.config);
  h.ping = std::make_unique<PingService>();
  EXPECT_TRUE(h.core->add_service(*h.ping).ok());
  for (Service* service : h.extra_services) EXPECT_TRUE(h.core->add_service(*service).ok());
  h.core->on_start(core_now());
  pump(node);
}

void MemNet::start_all() {
  for (NodeIndex i = 0; i < hosts_.size(); ++i) start(i);
}

void MemNet::crash(NodeIndex node) {
  Host& h = hosts_[node];
  if (!h.core) return;
  h.core.reset();
  h.ping.reset();
  h.timer_at = kNever;
  ++incarnations_[node];
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    Pair& pair = pairs_[p];
    if (!pair.a.is_raw && pair.a.node == node && !pair.a_closed) close_pair(p, true, "connection reset");
    if (!pair.b.is_raw && pair.b.node == node && !pair.b_closed) close_pair(p, false, "connection reset");
  }
}

void MemNet::restart(NodeIndex node) {
  crash(node);
  start(node);
}

void MemNet::at(TimeUs time, std::function<void()> run) { agenda_.push(Event{time, sequence_++, std::move(run)}); }

bool MemNet::alive(const End& end) const {
  if (end.is_raw) return true;
  const Host& h = hosts_[end.node];
  return h.core && !h.frozen && incarnations_[end.node] == end.incarnation;
}

void MemNet::pump(NodeIndex node) {
  Host& h = hosts_[node];
  if (!h.core) return;
  while (auto action = h.core->poll_action()) execute(node, std::move(*action));
  arm_timer(node);
}

void MemNet::arm_timer(NodeIndex node) {
  Host& h = hosts_[node];
  const TimeUs deadline = h.core->next_deadline();
  if (deadline == h.timer_at) return;
  h.timer_at = deadline;
  if (deadline == kNever) return;
  const std::uint32_t incarnation = incarnations_[node];
  at(std::max(deadline, now_), [this, node, deadline, incarnation] {
    Host& host = hosts_[node];
    if (!host.core || host.frozen || host.timer_at != deadline || incarnations_[node] != incarnation) return;
    host.timer_at = kNever;
    host.core->on_timeout(core_now());
    pump(node);
  });
}

std::pair<std::size_t, bool> MemNet::locate(NodeIndex node, ConnectionId id) const { return ends_.at({node, id}); }

void MemNet::execute(NodeIndex node, Action&& action) {
  Host& h = hosts_[node];
  if (auto* send = std::get_if<SendBytes>(&action)) {
    const auto [pair, is_a] = locate(node, send->connection);
    if (!(is_a ? pairs_[pair].a_closed : pairs_[pair].b_closed)) deliver(pair, is_a, std::move(send->message));
  } else if (auto* close = std::get_if<CloseConnection>(&action)) {
    const auto [pair, is_a] = locate(node, close->connection);
    if (!(is_a ? pairs_[pair].a_closed : pairs_[pair].b_closed)) close_pair(pair, is_a, "closed by peer");
  } else if (auto* dial_url = std::get_if<DialUrl>(&action)) {
    h.dials.emplace_back(now_, dial_url->url);
    dial(node, dial_url->dial, dial_url->url);
  } else if (auto* line = std::get_if<LogLine>(&action)) {
    h.logs.push_back(*line);
  }
}

void MemNet::dial(NodeIndex node, DialId dial_id, const std::string& url) {
  const std::uint32_t incarnation = incarnations_[node];
  // The connection attempt reaches the listener after one latency; both ends open then.
  at(now_ + latency_, [this, node, dial_id, url, incarnation] {
    const End dialler{false, node, 0, incarnation, 0};
    if (!alive(dialler)) return;
    auto listener = listeners_.find(url);
    if (listener == listeners_.end() || !hosts_[listener->second].core || hosts_[listener->second].frozen) {
      hosts_[node].core->on_dial_failed(core_now(), dial_id, "connection refused");
      pump(node);
      return;
    }
    const NodeIndex target = listener->second;
    Pair pair;
    pair.a = End{false, node, next_connection_id(), incarnation, 0};
    pair.b = End{false, target, next_connection_id(), incarnations_[target], 0};
    const std::size_t index = pairs_.size();
    ends_[{node, pair.a.id}] = {index, true};
    ends_[{target, pair.b.id}] = {index, false};
    pairs_.push_back(pair);
    const std::string remote = "10.0.0." + std::to_string(node) + ":" + std::to_string(40000 + pair.a.id % 20000);
    hosts_[target].core->on_transport_opened(core_now(), pair.b.id, {Direction::inbound, "mem", remote, 0});
    pump(target);
    if (!alive(dialler)) return;
    hosts_[node].core->on_transport_opened(core_now(), pair.a.id, {Direction::outbound, "mem", url.substr(6), dial_id});
    pump(node);
  });
}

void MemNet::deliver(std::size_t pair, bool to_b, Bytes message) {
  at(now_ + latency_, [this, pair, to_b, message = std::move(message)] {
    Pair& p = pairs_[pair];
    if (to_b ? p.b_closed : p.a_closed) return;
    const End& target = to_b ? p.b : p.a;
    if (target.is_raw) {
      raws_[target.raw].end.received.push_back(message);
      return;
    }
    if (!alive(target)) return;  // crashed or frozen: the bytes vanish
    hosts_[target.node].core->on_transport_data(core_now(), target.id, message);
    pump(target.node);
  });
}

void MemNet::close_pair(std::size_t pair, bool closer_is_a, std::string why) {
  Pair& p = pairs_[pair];
  (closer_is_a ? p.a_closed : p.b_closed) = true;
  at(now_ + latency_, [this, pair, closer_is_a, why = std::move(why)] {
    Pair& q = pairs_[pair];
    bool& closed = closer_is_a ? q.b_closed : q.a_closed;
    if (closed) return;
    closed = true;
    const End& target = closer_is_a ? q.b : q.a;
    if (target.is_raw) {
      raws_[target.raw].end.closed = true;
      raws_[target.raw].end.closed_at = now_;
      return;
    }
    if (!alive(target)) return;
    hosts_[target.node].core->on_transport_closed(core_now(), target.id, why);
    pump(target.node);
  });
}

MemNet::RawId MemNet::open_raw(NodeIndex node, std::string remote, std::string transport) {
  const RawId raw = raws_.size();
  Pair pair;
  pair.a = End{true, 0, 0, 0, raw};
  pair.b = End{false, node, next_connection_id(), incarnations_[node], 0};
  const std::size_t index = pairs_.size();
  ends_[{node, pair.b.id}] = {index, false};
  pairs_.push_back(pair);
  raws_.push_back(Raw{RawEnd{}, index});
  hosts_[node].core->on_transport_opened(core_now(), pair.b.id, {Direction::inbound, std::move(transport), std::move(remote), 0});
  pump(node);
  return raw;
}

void MemNet::send_raw(RawId raw, Bytes message) {
  const std::size_t pair = raws_.at(raw).pair;
  if (!pairs_[pair].a_closed) deliver(pair, true, std::move(message));
}

void MemNet::close_raw(RawId raw) {
  const std::size_t pair = raws_.at(raw).pair;
  if (!pairs_[pair].a_closed) close_pair(pair, true, "closed by peer");
}

void MemNet::run_until(TimeUs time) {
  // Actions produced by calls the test made directly (ping, connect, shutdown, ...).
  for (NodeIndex i = 0; i < hosts_.size(); ++i)
    if (hosts_[i].core && !hosts_[i].frozen) pump(i);
  std::uint64_t same_time_events = 0;
  TimeUs last = now_;
  while (!agenda_.empty() && agenda_.top().time <= time) {
    // top() is const only to protect the heap order, which pop() discards anyway.
    Event event = std::move(const_cast<Event&>(agenda_.top()));
    agenda_.pop();
    same_time_events = event.time == last ? same_time_events + 1 : 0;
    last = event.time;
    if (same_time_events > 1'000'000) {
      ADD_FAILURE() << "MemNet: a million events at one virtual time (a timer that never advances?)";
      return;
    }
    now_ = std::max(now_, event.time);
    event.run();
  }
  now_ = std::max(now_, time);
}

bool MemNet::run_until_true(const std::function<bool()>& done, DurationUs limit) {
  const TimeUs end = now_ + limit;
  while (!done()) {
    if (now_ >= end) return false;
    run_until(std::min(end, now_ + 10 * kMillisecond));
  }
  return true;
}

std::size_t MemNet::log_lines_containing(NodeIndex node, std::string_view text) const {
  std::size_t count = 0;
  for (const auto& line : hosts_[node].logs)
    if (line.text.find(text) != std::string::npos) ++count;
  return count;
}

std::string MemNet::logs(NodeIndex node) const {
  std::string out;
  for (const auto& line : hosts_[node].logs) out += std::string(log::level_name(line.level)) + " " + line.text + "\n";
  return out;
}

}  // namespace zmesh::node::test
