// The phi-accrual suspicion level (Hayashibara, Défago, Yared, Katayama: "The phi accrual
// failure detector", SRDS 2004). Instead of a yes/no timeout, the detector learns the
// distribution of heartbeat inter-arrival times from a bounded window of recent samples and
// reports how unlikely the current silence is:
//
//   phi(t_now) = -log10( P_later(t_now - t_last) )
//
// where P_later(t) is the probability that the next heartbeat arrives more than t after the
// previous one. phi = 1 means a 10 % chance that suspecting is a mistake, phi = 8 one in 10^8.
// Two models of the inter-arrival time are offered:
//   normal       P_later from the normal distribution of the window's mean and standard
//                deviation, with the logistic approximation of the normal CDF used by Akka and
//                Cassandra-era implementations (|error| < 1.4e-4 of the CDF);
//   exponential  P_later(t) = exp(-t / mean), so phi = t / (mean * ln 10) (Cassandra).
// Both add `acceptable_pause` to the mean (Akka's acceptable-heartbeat-pause: a margin for one
// lost or queued heartbeat) and floor the standard deviation at `min_std_dev` (a perfectly
// regular series would otherwise suspect a peer a few microseconds late).
//
// Pure arithmetic, no clock; the window is a fixed-capacity ring.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "runtime/time.hpp"

namespace zmesh::health {

enum class ArrivalModel : std::uint8_t { normal, exponential };

struct PhiParameters {
  ArrivalModel model = ArrivalModel::normal;
  DurationUs min_std_dev = 100 * kMillisecond;
  DurationUs acceptable_pause = 0;
};

// phi for a silence of `elapsed_us` given the inter-arrival mean and standard deviation.
// Finite for every finite input; 0 when mean + pause <= 0.
double phi_of(double elapsed_us, double mean_us, double std_dev_us, const PhiParameters& parameters);

// The last `capacity` inter-arrival times, with their mean and (population) standard deviation
// recomputed on every sample: O(capacity) once per heartbeat, O(1) for each phi query.
class ArrivalWindow {
 public:
  explicit ArrivalWindow(std::size_t capacity);

  void add(DurationUs interval_us);
  void clear();
  std::size_t size() const { return samples_.size(); }
  std::size_t capacity() const { return capacity_; }
  double mean_us() const { return mean_us_; }
  double std_dev_us() const { return std_dev_us_; }

 private:
  std::size_t capacity_;
  std::vector<DurationUs> samples_;  // a ring once full; grows to capacity_ at most
  std::size_t next_ = 0;             // where the next sample goes once full
  double mean_us_ = 0;
  double std_dev_us_ = 0;
};

}  // namespace zmesh::health
