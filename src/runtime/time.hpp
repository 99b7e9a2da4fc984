// Time as the sans-IO cores see it: a number of microseconds handed in by the driver.
// Cores never read a clock. The native driver passes a monotonic clock, the simulator
// its virtual time, the browser performance.now().
#pragma once

#include <cstdint>
#include <limits>

namespace zmesh {

using TimeUs = std::int64_t;     // a point in time, microseconds since the driver's epoch
using DurationUs = std::int64_t;  // a span of time in microseconds

inline constexpr TimeUs kNever = std::numeric_limits<TimeUs>::max();
inline constexpr DurationUs kMillisecond = 1000;
inline constexpr DurationUs kSecond = 1000 * kMillisecond;

}  // namespace zmesh
