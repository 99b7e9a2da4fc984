// Ping/echo on link channel 6: the built-in service that proves data crosses a link intact.
// A request is echoed back by the peer with the same id and payload; the pinger checks the
// payload byte for byte (by its BLAKE2b-256 digest, so outstanding pings hold 32 bytes each,
// not their payloads) and measures the round trip. Used by `zmesh ping` and by the tests.
// Every ping ends in exactly one result: ok, corrupted, timeout or peer_down.
#pragma once

#include <deque>
#include <map>
#include <set>

#include "crypto/hash.hpp"
#include "node/channels.hpp"
#include "node/ping_message.hpp"
#include "node/service.hpp"

namespace zmesh::node {

struct PingConfig {
  DurationUs timeout = 10 * kSecond;
  std::size_t max_outstanding = 4096;  // pings awaiting a reply plus results not yet polled
};

enum class PingStatus { ok, corrupted, timeout, peer_down };
const char* ping_status_name(PingStatus status);

struct PingResult {
  std::uint64_t id = 0;
  NodeId peer;
  PingStatus status = PingStatus::ok;
  DurationUs rtt = 0;  // ok and corrupted only
  std::size_t payload_bytes = 0;
};

struct PingCounters {
  std::uint64_t requests_sent = 0;
  std::uint64_t requests_answered = 0;
  std::uint64_t replies_received = 0;
  std::uint64_t replies_unexpected = 0;  // unknown id, or from another peer than the one pinged
  std::uint64_t malformed = 0;
  std::uint64_t answer_send_failures = 0;  // our reply did not fit the link's queue (the pinger times out)
};

class PingService final : public Service {
 public:
  explicit PingService(PingConfig config = {}) : config_(config) {}

  Channel channel() const override { return kChannelPing; }
  const char* name() const override { return "ping"; }
  void on_attach(ServiceHost& host) override { host_ = &host; }
  void on_peer_down(Now now, const NodeId& peer) override;
  void on_message(Now now, const NodeId& from, ByteView message) override;
  TimeUs next_deadline() const override;
  void on_timeout(Now now) override;

  // Sends one request; returns its id. Errors: limit_exceeded (too many outstanding pings or
  // unpolled results, or the link's queue is full: retry later), too_large, not_found (peer
  // not up), closed (not attached).
  Result<std::uint64_t> ping(Now now, const NodeId& peer, ByteView payload);
  // Finished pings, in the order they finished.
  std::optional<PingResult> poll_result();
  std::size_t outstanding() const { return outstanding_.size(); }
  const PingCounters& counters() const { return counters_; }

 private:
  struct Outstanding {
    NodeId peer;
    TimeUs sent_at = 0;
    TimeUs deadline = 0;
    crypto::Hash256 digest{};
    std::size_t size = 0;
  };
  void finish(std::map<std::uint64_t, Outstanding>::iterator it, PingStatus status, DurationUs rtt);
  void handle_reply(Now now, const NodeId& from, const PingMessage& reply);

  PingConfig config_;
  ServiceHost* host_ = nullptr;
  std::map<std::uint64_t, Outstanding> outstanding_;
  std::set<std::pair<TimeUs, std::uint64_t>> deadlines_;
  std::deque<PingResult> results_;
  std::uint64_t next_id_ = 1;
  PingCounters counters_;
};

}  // namespace zmesh::node
