// Wall-clock time as signed records carry it: seconds since the Unix epoch.
// Descriptors and onion keys are checked by other nodes whose clocks share only the Unix
// epoch (not a driver's monotonic TimeUs), so their validity windows use this unit. Cores
// still never read a clock: the driver passes `now` in.
#pragma once

#include <cstdint>

#include "runtime/time.hpp"  // UnixSeconds

namespace zmesh {

inline constexpr UnixSeconds kMinute = 60;
inline constexpr UnixSeconds kHour = 60 * kMinute;
inline constexpr UnixSeconds kDay = 24 * kHour;

}  // namespace zmesh
