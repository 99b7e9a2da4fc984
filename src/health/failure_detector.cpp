#include "health/failure_detector.hpp"

#include <algorithm>
#include <limits>

namespace zmesh::health {

DetectorConfig default_detector_config(DurationUs interval) {
  DetectorConfig config;
  config.heartbeat_interval = interval > 0 ? interval : kSecond;
  config.phi.acceptable_pause = config.heartbeat_interval;
  return config;
}

namespace {

DetectorConfig sanitized(DetectorConfig config) {
  if (config.heartbeat_interval <= 0) config.heartbeat_interval = kSecond;
  if (config.window_samples == 0) config.window_samples = 1;
  config.min_samples = std::clamp<std::size_t>(config.min_samples, 1, config.window_samples);
  // A detector that can never suspect is a configuration mistake: keep the fixed rule.
  if (!(config.phi_threshold > 0) && config.suspect_after_missed == 0) config.suspect_after_missed = 3;
  return config;
}

}  // namespace

FailureDetector::FailureDetector(const DetectorConfig& config, TimeUs monitoring_since)
    : config_(sanitized(config)), window_(config_.window_samples), last_alive_at_(monitoring_since) {}

void FailureDetector::record_heartbeat(TimeUs now) {
  // Judged on the gap between heartbeats alone: the peer's other messages may have ended the
  // silence already, yet the gap is still an outage, not the link's timing.
  if (last_heartbeat_at_ >= 0 && now >= last_heartbeat_at_) {
    const DurationUs gap = now - last_heartbeat_at_;
    if (!suspected_after(gap)) window_.add(gap);
  }
  last_heartbeat_at_ = std::max(last_heartbeat_at_, now);
  ++heartbeats_;
  record_alive(now);
}

void FailureDetector::record_alive(TimeUs now) {
  last_alive_at_ = std::max(last_alive_at_, now);
  heard_ = true;
}

DurationUs FailureDetector::silence(TimeUs now) const { return now > last_alive_at_ ? now - last_alive_at_ : 0; }

double FailureDetector::phi_after(DurationUs silence) const {
  if (window_.size() < config_.min_samples) return 0;
  return phi_of(static_cast<double>(silence), window_.mean_us(), window_.std_dev_us(), config_.phi);
}

bool FailureDetector::suspected_after(DurationUs silence) const {
  if (config_.suspect_after_missed > 0 && silence / config_.heartbeat_interval >= config_.suspect_after_missed) return true;
  return config_.phi_threshold > 0 && window_.size() >= config_.min_samples && phi_after(silence) >= config_.phi_threshold;
}

double FailureDetector::phi(TimeUs now) const { return phi_after(silence(now)); }

std::uint32_t FailureDetector::missed_intervals(TimeUs now) const {
  const DurationUs missed = silence(now) / config_.heartbeat_interval;
  return static_cast<std::uint32_t>(std::min<DurationUs>(missed, std::numeric_limits<std::uint32_t>::max()));
}

bool FailureDetector::suspected(TimeUs now) const { return suspected_after(silence(now)); }

}  // namespace zmesh::health
