// How far a node is on its way to being useful, told the way Tor tells it ("Bootstrapped 40%
// (dht): joined the DHT"): each milestone is logged once, at info level, when first reached,
// and `status` shows the latest. A client (a node with a SOCKS port) goes through
//   linked 20% → dht 40% → descriptors 60% → circuit 80% → done 100% (SOCKS ready);
// a relay through linked 50% → done 100% (joined the DHT). Milestones never go back: losing
// every peer later is a status fact (peers 0), not a step backwards.
//
// It also watches why client circuits cannot be built (CircuitPool's path_unavailable: too few
// relays known, ...): the reason is logged once at warning level when it appears (once the
// DHT is joined, or after kPathWarnAfter without it: just after startup knowing no relay is
// normal, but a node whose seeds never answer must say so), once at info level when it clears,
// and shown by `status` while it lasts.
//
// Pure: observations in, log lines out; NodeRuntime observes every kBootstrapCheckInterval.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/time.hpp"
#include "util/log.hpp"

namespace zmesh::app {

inline constexpr DurationUs kBootstrapCheckInterval = 500 * kMillisecond;
inline constexpr DurationUs kPathWarnAfter = 5 * kSecond;  // as SOCKS requests give up (kNoPathWait)

struct BootstrapObservation {
  TimeUs now = 0;                   // monotonic
  std::size_t linked_peers = 0;
  bool dht_joined = false;
  std::size_t relays_known = 0;     // verified relay descriptors held (only read before 60%)
  std::size_t ready_circuits = 0;   // fresh client circuits
  std::string path_unavailable;     // empty: a path can be chosen
};

struct BootstrapLogLine {
  log::Level level = log::Level::info;
  std::string text;
};

class BootstrapProgress {
 public:
  // `socks_address` empty: a relay (no client milestones). `hops`: relays a path needs.
  BootstrapProgress(std::string socks_address, std::size_t hops);

  // The lines to log for what changed since the last observation.
  std::vector<BootstrapLogLine> observe(const BootstrapObservation& now);

  int percent() const;
  const char* tag() const;
  // True once the relay count is no longer needed (it costs a copy of the descriptors).
  bool needs_relay_count() const;
  const std::string& path_problem() const { return path_problem_; }
  // The status's `bootstrap` object: {percent, tag, summary, problem}.
  nlohmann::json status_json() const;

 private:
  struct Milestone {
    int percent;
    const char* tag;
  };
  std::string summary(std::size_t index, const BootstrapObservation& now) const;
  bool reached(std::size_t index, const BootstrapObservation& now) const;

  std::string socks_address_;
  std::size_t hops_;
  std::vector<Milestone> milestones_;
  std::size_t reached_ = 0;  // milestones passed (0: starting)
  std::string last_summary_ = "starting";
  std::string path_problem_;
  std::string warned_problem_;  // non-empty during a problem episode already warned about
  TimeUs problem_since_ = kNever;  // start of the current episode
};

}  // namespace zmesh::app
