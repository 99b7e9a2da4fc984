// Round-trip time estimate of one peer, RFC 6298 §2: a smoothed RTT (alpha = 1/8) and its mean
// deviation RTTVAR (beta = 1/4), which we report as the peer's jitter. Integer microseconds, so
// the simulator and the WebAssembly build agree to the bit.
#pragma once

#include <cstdint>

#include "runtime/time.hpp"

namespace zmesh::health {

class RttEstimator {
 public:
  // One measured round trip (negative samples are ignored: they cannot come from our clock).
  void add_sample(DurationUs rtt_us);

  bool has_sample() const { return samples_ > 0; }
  std::uint64_t samples() const { return samples_; }
  DurationUs last_us() const { return last_us_; }      // 0 before the first sample
  DurationUs srtt_us() const { return srtt_us_; }      // 0 before the first sample
  DurationUs rttvar_us() const { return rttvar_us_; }  // the jitter; 0 before the first sample
  // RFC 6298 §2.3 without the 1 s floor (a heartbeat is not a retransmission):
  // SRTT + max(G, 4 * RTTVAR) with clock granularity G = 1 ms. 0 before the first sample.
  DurationUs rto_us() const;

 private:
  std::uint64_t samples_ = 0;
  DurationUs last_us_ = 0;
  DurationUs srtt_us_ = 0;
  DurationUs rttvar_us_ = 0;
};

}  // namespace zmesh::health
