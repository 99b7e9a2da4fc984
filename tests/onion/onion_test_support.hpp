// Shared fixtures for the onion tests: relays with onion keys, and a tiny in-memory network of
// OnionRelays (FIFO per run, cells can be inspected, modified or dropped in flight).
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "crypto/secure.hpp"
#include "onion/onion_relay.hpp"
#include "onion/sphinx.hpp"
#include "runtime/random.hpp"

namespace zmesh::onion::test {

inline constexpr UnixSeconds kNow = 1'750'000'000;  // June 2025
inline constexpr TimeUs kUnixOffsetUs = static_cast<TimeUs>(kNow) * kSecond;  // driver time 0 = kNow
// The Now a driver would pass at driver time `t`.
inline Now at(TimeUs t) { return Now{t, kUnixOffsetUs + t}; }

struct TestRelayKeys {
  NodeId id;
  OnionKeyPair key;
  SetupHop hop() const { return SetupHop::from_descriptor(id, key.public_part()); }
};

inline NodeId random_node_id(RandomSource& random) {
  NodeId id;
  random.fill(id.bytes);
  return id;
}

inline TestRelayKeys make_relay_keys(RandomSource& random) {
  crypto::init();
  return TestRelayKeys{random_node_id(random), OnionKeyPair::generate(random, kNow - kHour)};
}

inline std::vector<SetupHop> path_of(const std::vector<const TestRelayKeys*>& relays) {
  std::vector<SetupHop> path;
  for (const TestRelayKeys* relay : relays) path.push_back(relay->hop());
  return path;
}

// Cells in flight between OnionRelays; delivered in FIFO order by run().
class TestNetwork {
 public:
  struct InFlight {
    NodeId from;
    NodeId to;
    Bytes cell;
  };
  // Returns false to drop the cell; may modify it.
  using Interceptor = std::function<bool(InFlight&)>;

  explicit TestNetwork(std::uint64_t seed, OnionRelayConfig config = default_config()) : random_(seed), config_(config) {}

  static OnionRelayConfig default_config() {
    return OnionRelayConfig{};
  }

  // A relay with one onion key (a client is a relay whose key nobody uses).
  const TestRelayKeys& add_node() {
    auto node = std::make_unique<Node>();
    node->random = random_.fork();
    node->keys = make_relay_keys(*node->random);
    node->relay = std::make_unique<OnionRelay>(node->keys.id, config_, *node->random);
    EXPECT_TRUE(node->relay->add_onion_key(node->keys.key).ok());
    const NodeId id = node->keys.id;
    order_.push_back(id);
    auto [it, inserted] = nodes_.emplace(id, std::move(node));
    return it->second->keys;
  }

  OnionRelay& relay(const NodeId& id) { return *nodes_.at(id)->relay; }
  std::vector<OnionEvent>& events(const NodeId& id) { return nodes_.at(id)->events; }
  const std::vector<NodeId>& nodes() const { return order_; }
  std::size_t delivered() const { return delivered_; }
  std::vector<InFlight>& log() { return log_; }

  void set_interceptor(Interceptor interceptor) { interceptor_ = std::move(interceptor); }
  void inject(const NodeId& from, const NodeId& to, Bytes cell) { queue_.push_back({from, to, std::move(cell)}); }

  // Drains every relay's outgoing cells and events, then delivers cells until none is left.
  void run(TimeUs now = 0) {
    collect();
    while (!queue_.empty()) {
      InFlight flight = std::move(queue_.front());
      queue_.pop_front();
      if (interceptor_ && !interceptor_(flight)) continue;
      log_.push_back(flight);
      ++delivered_;
      auto it = nodes_.find(flight.to);
      if (it != nodes_.end()) {
        const Status status = it->second->relay->on_cell(at(now), flight.from, flight.cell);
        if (!status.ok()) cell_errors_.push_back(status.error());
      }
      collect();
    }
  }

  void timeout(TimeUs now) {
    for (const NodeId& id : order_) relay(id).on_timeout(at(now));
    run(now);
  }

  const std::vector<Error>& cell_errors() const { return cell_errors_; }

 private:
  struct Node {
    std::unique_ptr<SeededRandom> random;
    TestRelayKeys keys;
    std::unique_ptr<OnionRelay> relay;
    std::vector<OnionEvent> events;
  };

  void collect() {
    for (const NodeId& id : order_) {
      Node& node = *nodes_.at(id);
      while (auto cell = node.relay->poll_cell()) queue_.push_back({id, cell->to, std::move(cell->cell)});
      while (auto event = node.relay->poll_event()) node.events.push_back(std::move(*event));
    }
  }

  SeededRandom random_;
  OnionRelayConfig config_;
  std::map<NodeId, std::unique_ptr<Node>> nodes_;
  std::vector<NodeId> order_;
  std::deque<InFlight> queue_;
  std::vector<InFlight> log_;
  std::vector<Error> cell_errors_;
  Interceptor interceptor_;
  std::size_t delivered_ = 0;
};

// Events of one kind, in order.
template <class T>
std::vector<T> events_of(const std::vector<OnionEvent>& events) {
  std::vector<T> out;
  for (const OnionEvent& event : events)
    if (const T* typed = std::get_if<T>(&event)) out.push_back(*typed);
  return out;
}

}  // namespace zmesh::onion::test
