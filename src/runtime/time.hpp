// Time as the sans-IO cores see it: values handed in by the driver. Cores never read a clock.
// The native driver passes a monotonic clock and the system's wall clock, the simulator its
// virtual time (and a fixed Unix epoch plus virtual time), the browser performance.now() and
// Date.now().
#pragma once

#include <cstdint>
#include <limits>

namespace zmesh {

using TimeUs = std::int64_t;     // a point in time, microseconds since the driver's epoch
using DurationUs = std::int64_t;  // a span of time in microseconds

inline constexpr TimeUs kNever = std::numeric_limits<TimeUs>::max();
inline constexpr DurationUs kMillisecond = 1000;
inline constexpr DurationUs kSecond = 1000 * kMillisecond;

// Wall-clock time as signed records carry it: seconds since the Unix epoch. Descriptors and
// onion keys are checked by other nodes whose clocks share only the Unix epoch (not a driver's
// monotonic TimeUs), so their validity windows use this unit.
using UnixSeconds = std::uint64_t;

// The one time value every event carries (as quinn-proto passes an Instant): the monotonic
// clock for deadlines and timeouts, and the wall clock for what other nodes check (expiry of
// descriptors, records and onion keys). Deadlines a core returns are always on `mono`. The two
// are read together by the driver, so a wall-clock step never moves a timer.
struct Now {
  TimeUs mono = 0;           // monotonic µs since the driver's epoch
  std::int64_t unix_us = 0;  // µs since 1970-01-01T00:00:00Z

  UnixSeconds unix_seconds() const { return unix_us > 0 ? static_cast<UnixSeconds>(unix_us / kSecond) : 0; }
  // The monotonic time at which the wall clock reads `unix_time` (for deadlines at an expiry).
  TimeUs mono_at_unix(UnixSeconds unix_time) const {
    const auto target_us = static_cast<std::int64_t>(unix_time) * kSecond;
    return mono + (target_us - unix_us);
  }
  // The same instant `elapsed` later on both clocks (tests and simulators advance time so).
  Now after(DurationUs elapsed) const { return Now{mono + elapsed, unix_us + elapsed}; }
};

}  // namespace zmesh
