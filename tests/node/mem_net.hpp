// MemNet: a deterministic in-memory driver for NodeCores, for tests. Virtual time, an event
// agenda ordered by (time, sequence), reliable ordered transports with a fixed one-way latency,
// listeners named by "mem://NAME" URLs, and raw endpoints that let a test play a hostile peer
// byte by byte. Everything a NodeCore emits is executed the way the native driver would:
// SendBytes travel to the other end, CloseConnection closes both ends, DialUrl connects to a
// listener (or fails), LogLine is recorded per node.
//
// Later services (DHT, onion) can reuse it: add_node() takes extra services to attach.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "identity/identity.hpp"
#include "node/node_core.hpp"
#include "node/ping_service.hpp"
#include "runtime/random.hpp"

namespace zmesh::node::test {

// The wall clock MemNet's nodes see at virtual time 0 (override with set_unix_offset_us).
inline constexpr TimeUs kMemNetUnixOffsetUs = TimeUs{1'800'000'000} * kSecond;
// The Now a driver would pass at virtual time `t`, for tests that drive a core by hand.
inline Now at(TimeUs t) { return Now{t, t + kMemNetUnixOffsetUs}; }

// A config whose configured peers are `urls`.
NodeConfig with_peers(std::vector<std::string> urls);

// Identities are slow to generate (ML-DSA key generation): a few per process, shared.
const NodeIdentity& identity(std::size_t which);

class MemNet {
 public:
  using NodeIndex = std::size_t;
  using RawId = std::size_t;

  struct Host {
    const NodeIdentity* identity = nullptr;
    NodeConfig config;
    std::vector<std::string> listen_urls;
    std::vector<Service*> extra_services;
    std::unique_ptr<SeededRandom> random;
    std::unique_ptr<PingService> ping;
    std::unique_ptr<NodeCore> core;  // nullptr while crashed
    bool frozen = false;             // hung: receives nothing, sends nothing, no timers
    TimeUs timer_at = kNever;
    std::vector<LogLine> logs;
    std::vector<std::pair<TimeUs, std::string>> dials;  // every DialUrl: when, url
  };

  // A test-controlled end of a connection (plays an arbitrary remote).
  struct RawEnd {
    std::vector<Bytes> received;
    bool closed = false;
    TimeUs closed_at = -1;
  };

  explicit MemNet(std::uint64_t seed = 1, DurationUs latency = 5 * kMillisecond);

  // Listens on every URL of `listen_urls` ("mem://a"); started by start() or start_all().
  NodeIndex add_node(std::size_t identity_index, NodeConfig config, std::vector<std::string> listen_urls = {},
                     std::vector<Service*> extra_services = {});
  void start(NodeIndex node);
  void start_all();
  // Process kill: the core is destroyed, its transports close (peers see on_transport_closed).
  void crash(NodeIndex node);
  // A fresh core with the same identity, listeners and config.
  void restart(NodeIndex node);
  // A hung peer / black-holed network: the node's transports stay "open" but nothing moves.
  void freeze(NodeIndex node) { hosts_[node].frozen = true; }

  // Raw inbound connection to `node` from `remote` ("10.0.0.1:5000").
  RawId open_raw(NodeIndex node, std::string remote, std::string transport = "mem");
  void send_raw(RawId raw, Bytes message);
  void close_raw(RawId raw);
  const RawEnd& raw(RawId raw) const { return raws_.at(raw).end; }

  // Executes what the cores queued since the last event (calls made by the test), then every
  // event due until `time`.
  void run_until(TimeUs time);
  void run_for(DurationUs duration) { run_until(now_ + duration); }
  // Runs until `done()` or `limit` virtual time passes; returns done().
  bool run_until_true(const std::function<bool()>& done, DurationUs limit);
  TimeUs now() const { return now_; }
  // What events into the cores carry: virtual time, and a wall clock that reads
  // unix_offset_us at virtual time 0.
  Now core_now() const { return Now{now_, now_ + unix_offset_us_}; }
  void set_unix_offset_us(TimeUs offset) { unix_offset_us_ = offset; }

  // Both cores are up and each sees the other as a peer.
  bool linked(NodeIndex x, NodeIndex y) const;
  // The usual start: node `a` (identity 0) listens on mem://a, node `b` (identity 1) has it as
  // a configured peer; both started and run until linked (a test failure otherwise).
  std::pair<NodeIndex, NodeIndex> add_linked_pair(NodeConfig a_config = {}, NodeConfig b_config = {});

  Host& host(NodeIndex node) { return hosts_[node]; }
  NodeCore& core(NodeIndex node) { return *hosts_[node].core; }
  PingService& ping(NodeIndex node) { return *hosts_[node].ping; }
  const NodeId& id(NodeIndex node) const { return hosts_[node].identity->id; }
  std::size_t log_lines_containing(NodeIndex node, std::string_view text) const;
  std::string logs(NodeIndex node) const;

 private:
  // One end of a connection: a node's (node, connection id) or a raw end.
  struct End {
    bool is_raw = false;
    NodeIndex node = 0;
    ConnectionId id = 0;
    std::uint32_t incarnation = 0;  // a crashed node's ends are dead
    RawId raw = 0;
  };
  struct Pair {
    End a, b;
    bool a_closed = false;  // that end closed, or was told of the close: it gets nothing more
    bool b_closed = false;
  };
  struct Raw {
    RawEnd end;
    std::size_t pair = 0;
  };
  struct Event {
    TimeUs time;
    std::uint64_t sequence;
    std::function<void()> run;
    bool operator>(const Event& other) const {
      return time != other.time ? time > other.time : sequence > other.sequence;
    }
  };

  void at(TimeUs time, std::function<void()> run);
  void pump(NodeIndex node);
  void arm_timer(NodeIndex node);
  void execute(NodeIndex node, Action&& action);
  void dial(NodeIndex node, DialId dial, const std::string& url);
  void deliver(std::size_t pair, bool to_b, Bytes message);
  void close_pair(std::size_t pair, bool closer_is_a, std::string why);
  bool alive(const End& end) const;
  // Finds the pair and side of a node's connection.
  std::pair<std::size_t, bool> locate(NodeIndex node, ConnectionId id) const;
  ConnectionId next_connection_id() { return next_connection_++; }

  SeededRandom random_;
  DurationUs latency_;
  TimeUs now_ = 1'000'000;
  TimeUs unix_offset_us_ = kMemNetUnixOffsetUs;
  std::uint64_t sequence_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> agenda_;
  std::vector<Host> hosts_;
  std::vector<std::uint32_t> incarnations_;
  std::map<std::string, NodeIndex> listeners_;
  std::vector<Pair> pairs_;
  std::map<std::pair<NodeIndex, ConnectionId>, std::pair<std::size_t, bool>> ends_;  // → (pair, is side a)
  std::vector<Raw> raws_;
  ConnectionId next_connection_ = 1;
};

}  // namespace zmesh::node::test
