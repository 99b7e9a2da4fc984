// Reconnection delays for configured peers: exponential backoff with jitter, so that a crowd
// of nodes that lost the same peer does not redial it in lock step (AWS architecture blog,
// "Exponential Backoff And Jitter"; gRPC connection backoff).
//
//   base(n)  = min(max_delay, initial_delay * 2^n)        n = consecutive failures so far
//   delay(n) = base(n) * (1 - jitter * u),  u uniform in [0, 1)
//
// so delays stay within (base * (1 - jitter), base] and never exceed max_delay. The count
// resets once a link to the peer stayed up for `reset_after`.
#pragma once

#include <cstdint>

#include "runtime/random.hpp"
#include "runtime/time.hpp"

namespace zmesh::node {

struct BackoffConfig {
  DurationUs initial_delay = 1 * kSecond;
  DurationUs max_delay = 60 * kSecond;
  double jitter = 0.25;                 // fraction of the delay taken off at random, 0..1
  DurationUs reset_after = 30 * kSecond;  // a link up this long resets the failure count
};

// Upper bound of the n-th delay (no jitter).
DurationUs backoff_base(const BackoffConfig& config, std::uint32_t failures);
// The delay before the next attempt after `failures` consecutive failures.
DurationUs backoff_delay(const BackoffConfig& config, std::uint32_t failures, RandomSource& random);

}  // namespace zmesh::node
