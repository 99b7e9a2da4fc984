// The failure detector of one peer: no messages, no clock, no contract. A heartbeat service
// feeds it what it observed, each with the time it happened, and asks it whether the peer is
// suspected now:
//
//   FailureDetector d(config, now);      // monitoring starts (counts as the peer's last sign of life)
//   d.record_heartbeat(now);             // a heartbeat arrived (our ping's pong): an inter-arrival sample
//   d.record_alive(now);                 // other evidence of life (the peer's own ping): no sample
//   d.record_rtt(rtt_us);                // a measured round trip (RFC 6298 smoothing)
//   d.suspected(now), d.phi(now), d.rtt().srtt_us(), d.rtt().rttvar_us()
//
// Two rules, either of which suspects the peer:
//   - phi-accrual (health/phi_accrual.hpp): once `min_samples` inter-arrival times are known,
//     suspected while phi(now) >= phi_threshold. Adapts to each link: a steady peer is
//     suspected soon after it stops, a jittery one is given more time.
//   - fixed missed intervals (Chandra & Toueg's timeout detector): suspected once silent for
//     `suspect_after_missed` whole heartbeat intervals. It alone decides before the window has
//     enough samples, and it caps the time to suspicion however tolerant phi has become.
// Either rule can be switched off (phi_threshold <= 0, suspect_after_missed = 0), not both.
//
// A gap between two heartbeats long enough to have made the peer suspected is not added to the
// window (even if other messages from the peer came in between): an outage is not a sample of the link's timing, and learning it would make
// phi blind to the next outage for a whole window (Cassandra drops such intervals too).
//
// Cost: O(window) per heartbeat, O(1) per query; memory bounded by window_samples.
#pragma once

#include <cstdint>

#include "health/phi_accrual.hpp"
#include "health/rtt_estimator.hpp"
#include "runtime/time.hpp"

namespace zmesh::health {

struct DetectorConfig {
  DurationUs heartbeat_interval = 1 * kSecond;  // the pinger's interval (> 0)
  double phi_threshold = 8.0;                   // <= 0: phi rule off
  std::uint32_t suspect_after_missed = 5;       // whole silent intervals; 0: fixed rule off
  std::size_t window_samples = 64;              // inter-arrival times remembered (>= 1)
  std::size_t min_samples = 8;                  // phi rule silent until the window holds this many
  PhiParameters phi;                            // model, min_std_dev, acceptable_pause
};

// The config a heartbeat service should use for heartbeats every `interval`: phi 8 on the
// normal model with one interval of acceptable pause (one late or lost heartbeat is not an
// outage) and a 100 ms standard-deviation floor; the fixed rule caps suspicion at 5 intervals.
DetectorConfig default_detector_config(DurationUs interval);

class FailureDetector {
 public:
  FailureDetector(const DetectorConfig& config, TimeUs monitoring_since);

  void record_heartbeat(TimeUs now);
  void record_alive(TimeUs now);
  void record_rtt(DurationUs rtt_us) { rtt_.add_sample(rtt_us); }

  // Evaluated at `now`; times before the last sign of life count as no silence.
  double phi(TimeUs now) const;
  std::uint32_t missed_intervals(TimeUs now) const;
  bool suspected(TimeUs now) const;

  TimeUs last_alive_at() const { return last_alive_at_; }  // monitoring start until heard from
  bool heard() const { return heard_; }
  std::uint64_t heartbeats() const { return heartbeats_; }
  const ArrivalWindow& window() const { return window_; }
  const RttEstimator& rtt() const { return rtt_; }
  const DetectorConfig& config() const { return config_; }

 private:
  DurationUs silence(TimeUs now) const;
  double phi_after(DurationUs silence) const;
  bool suspected_after(DurationUs silence) const;

  DetectorConfig config_;
  ArrivalWindow window_;
  RttEstimator rtt_;
  TimeUs last_alive_at_;
  TimeUs last_heartbeat_at_ = -1;  // -1: none yet
  std::uint64_t heartbeats_ = 0;
  bool heard_ = false;
};

}  // namespace zmesh::health
