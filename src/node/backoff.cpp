#include "node/backoff.hpp"

#include <algorithm>

namespace zmesh::node {

DurationUs backoff_base(const BackoffConfig& config, std::uint32_t failures) {
  const DurationUs initial = std::max<DurationUs>(config.initial_delay, 1);
  const DurationUs cap = std::max(config.max_delay, initial);
  DurationUs delay = initial;
  for (std::uint32_t i = 0; i < failures && delay < cap; ++i) delay *= 2;  // no overflow: stops at cap
  return std::min(delay, cap);
}

DurationUs backoff_delay(const BackoffConfig& config, std::uint32_t failures, RandomSource& random) {
  const DurationUs base = backoff_base(config, failures);
  const double jitter = std::clamp(config.jitter, 0.0, 1.0);
  const auto cut = static_cast<DurationUs>(static_cast<double>(base) * jitter * random.unit());
  return std::max<DurationUs>(base - cut, 1);
}

}  // namespace zmesh::node
