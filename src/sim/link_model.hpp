// How a message crosses a simulated link: a tail-drop sender queue drained at the link's
// bandwidth (serialization delay), then independent random loss, then propagation latency
// plus uniform jitter. Links are directed; the default profile applies to every pair that
// has no override and, while its bandwidth is unlimited, needs no per-link state at all.
#pragma once

#include <cstdint>
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

  std::size_t stateful_links() const { return links_.size(); }

 private:
  struct DirectedLink {
    LinkProfile profile;
    bool custom = false;    // false: follows the default profile, exists only for its queue
    TimeUs busy_until = 0;  // when the last queued byte has been serialized
  };
  static std::uint64_t key(std::uint32_t from, std::uint32_t to) { return std::uint64_t{from} << 32 | to; }

  LinkProfile default_;
  std::unordered_map<std::uint64_t, DirectedLink> links_;
};

}  // namespace zmesh::sim
