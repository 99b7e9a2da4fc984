// How a message crosses a simulated link: a tail-drop sender queue drained at the link's
// bandwidth (serialization delay), then independent random loss, then propagation latency
// plus uniform jitter. Links are directed; the default profile applies to every pair that
// has no override and, while its bandwidth is unlimited, needs no per-link state at all.
// Reliable connections (whole-node simulation, node_simulator.hpp) cross the same links with
// transmit_reliable(): no drop, a loss costs a retransmission timeout instead.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "runtime/random.hpp"
#include "runtime/time.hpp"

namespace zmesh::sim {

struct LinkProfile {
  DurationUs latency = 10 * kMillisecond;  // one-way propagation delay
  DurationUs jitter = 0;                   // extra delay, uniform in [0, jitter]
  std::uint64_t bandwidth_bytes_per_s = 0; // 0 = unlimited: no serialization delay, no queue
  double loss = 0.0;                       // probability that a message is lost, in [0, 1]
  std::uint64_t queue_limit_bytes = 256 * 1024;  // sender queue bound when bandwidth is limited
};

enum class LinkDrop { none, loss, queue_full };

struct LinkVerdict {
  LinkDrop drop = LinkDrop::none;
  TimeUs arrival = 0;  // valid when drop == none
};

class LinkModel {
 public:
  void set_default(const LinkProfile& profile) { default_ = profile; }
  const LinkProfile& default_profile() const { return default_; }
  // Overrides one direction.
  void set(std::uint32_t from, std::uint32_t to, const LinkProfile& profile);
  // The profile that applies to from -> to.
  const LinkProfile& profile(std::uint32_t from, std::uint32_t to) const;

  // Decides the fate of a message of `size_bytes` handed to the link at `now`. Randomness
  // (loss, jitter) comes from `random`, the simulator's dedicated link stream.
  LinkVerdict transmit(std::uint32_t from, std::uint32_t to, std::size_t size_bytes, TimeUs now, RandomSource& random);

  // The same link as a reliable byte stream (TCP-like) sees it: the serialization delay as
  // above but no tail drop (the sender's socket buffer keeps the bytes), and every loss draw
  // costs one retransmission timeout (retransmit_timeout()) and draws again, up to
  // kMaxRetransmissions. Returns the arrival time before any FIFO adjustment (the caller keeps
  // one connection's messages in order); `retransmissions` counts the timeouts paid.
  TimeUs transmit_reliable(std::uint32_t from, std::uint32_t to, std::size_t size_bytes, TimeUs now, RandomSource& random,
                           std::uint32_t& retransmissions);
  // TCP's minimum RTO (RFC 6298 §2.4 says 1 s; Linux uses 200 ms) or three one-way latencies.
  static DurationUs retransmit_timeout(const LinkProfile& profile);
  static constexpr std::uint32_t kMaxRetransmissions = 16;

  std::size_t stateful_links() const { return links_.size(); }

 private:
  struct DirectedLink {
    LinkProfile profile;
    bool custom = false;    // false: follows the default profile, exists only for its queue
    TimeUs busy_until = 0;  // when the last queued byte has been serialized
  };
  static std::uint64_t key(std::uint32_t from, std::uint32_t to) { return std::uint64_t{from} << 32 | to; }
  const LinkProfile& find(std::uint32_t from, std::uint32_t to, DirectedLink*& link);
  // When the last byte leaves (the sender queue drained at the link's bandwidth); nullopt
  // when `bounded` and the queue bound would be exceeded.
  std::optional<TimeUs> departure(std::uint32_t from, std::uint32_t to, const LinkProfile& p, DirectedLink* link,
                                  std::size_t size_bytes, TimeUs now, bool bounded);
  static DurationUs propagation(const LinkProfile& p, RandomSource& random);

  LinkProfile default_;
  std::unordered_map<std::uint64_t, DirectedLink> links_;
};

}  // namespace zmesh::sim
