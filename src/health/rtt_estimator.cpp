#include "health/rtt_estimator.hpp"

#include <algorithm>

namespace zmesh::health {

void RttEstimator::add_sample(DurationUs rtt_us) {
  if (rtt_us < 0) return;
  last_us_ = rtt_us;
  if (samples_++ == 0) {
    // RFC 6298 §2.2: SRTT <- R, RTTVAR <- R/2.
    srtt_us_ = rtt_us;
    rttvar_us_ = rtt_us / 2;
    return;
  }
  // RFC 6298 §2.3, in this order: RTTVAR uses the SRTT from before this sample.
  const DurationUs deviation = srtt_us_ > rtt_us ? srtt_us_ - rtt_us : rtt_us - srtt_us_;
  rttvar_us_ += (deviation - rttvar_us_) / 4;
  srtt_us_ += (rtt_us - srtt_us_) / 8;
}

DurationUs RttEstimator::rto_us() const {
  if (samples_ == 0) return 0;
  return srtt_us_ + std::max<DurationUs>(kMillisecond, 4 * rttvar_us_);
}

}  // namespace zmesh::health
