// The clocks a simulated node sees. Virtual time (µs since the start of the run) is the node's
// monotonic clock; its Unix clock is a fixed epoch plus virtual time, so that descriptor and
// onion-key expiry behave as in a real node and every run is the same whatever day it runs.
// Every call into a simulated node takes its time from node_time().
#pragma once

#include "identity/unix_time.hpp"
#include "runtime/time.hpp"

namespace zmesh::sim {

// 2027-01-15 08:00:00 UTC: any fixed date works; a round one reads well in logs.
inline constexpr UnixSeconds kSimUnixEpoch = 1'800'000'000;
inline constexpr TimeUs kSimUnixEpochUs = static_cast<TimeUs>(kSimUnixEpoch) * kSecond;

// Unix seconds at virtual time `t`.
inline UnixSeconds sim_unix_seconds(TimeUs t) { return static_cast<UnixSeconds>((kSimUnixEpochUs + t) / kSecond); }

// What every event into a simulated node carries at virtual time `t`.
inline Now node_time(TimeUs t) { return Now{t, kSimUnixEpochUs + t}; }

}  // namespace zmesh::sim
