// The message-level interface of the simulator's protocol studies (sim::Simulator): one
// protocol alone, as datagrams between node indices, at a scale whole nodes cannot reach yet
// (the 100,000-node DHT swarm in tests/dht, the heartbeat demo). Nodes do not implement it:
// a node is a node::NodeCore (src/node/node_core.hpp), which every driver runs, the
// simulator's NodeSimulator included. Outbox and Transmit are shared with the protocol cores
// that queue datagrams (DhtNode).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "runtime/time.hpp"
#include "util/bytes.hpp"

namespace zmesh {

// Opaque handle of a remote endpoint, assigned by the driver (a connection, a simulated node).
using PeerHandle = std::uint64_t;

struct Transmit {
  PeerHandle to = 0;
  Bytes payload;
};

class Core {
 public:
  virtual ~Core() = default;

  // Called once before any other event.
  virtual void on_start(TimeUs now) = 0;
  // A message from a peer arrived.
  virtual void on_receive(TimeUs now, PeerHandle from, ByteView payload) = 0;
  // The deadline returned by next_deadline() has been reached (or passed).
  virtual void on_timeout(TimeUs now) = 0;
  // The earliest time the core wants on_timeout, or kNever.
  virtual TimeUs next_deadline() const = 0;
  // Drains one outgoing message; std::nullopt when there is nothing to send.
  virtual std::optional<Transmit> poll_transmit() = 0;
};

// A bounded outgoing queue that cores can embed to implement poll_transmit().
// A vector drained from a head index rather than a std::deque: an empty Outbox allocates
// nothing (libstdc++'s deque allocates ~600 bytes up front), which matters when the
// simulator runs 100,000 cores. Drivers drain it after every event, so it rarely grows.
class Outbox {
 public:
  explicit Outbox(std::size_t max_messages = 4096) : max_messages_(max_messages) {}
  // false (and nothing queued) when full: the caller decides whether that is loss or an error.
  bool push(PeerHandle to, Bytes payload) {
    if (size() >= max_messages_) return false;
    if (head_ >= 32 && head_ * 2 >= queue_.size()) {
      // Never fully drained: drop the consumed prefix so the vector stays bounded (amortised O(1)).
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
    queue_.push_back(Transmit{to, std::move(payload)});
    return true;
  }
  std::optional<Transmit> pop() {
    if (head_ == queue_.size()) return std::nullopt;
    Transmit t = std::move(queue_[head_++]);
    if (head_ == queue_.size()) {
      queue_.clear();  // keeps the capacity for the next burst
      head_ = 0;
    }
    return t;
  }
  std::size_t size() const { return queue_.size() - head_; }

 private:
  std::size_t max_messages_;
  std::size_t head_ = 0;
  std::vector<Transmit> queue_;
};

}  // namespace zmesh
