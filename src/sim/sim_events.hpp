// How NodeSimulator packs its events into the agenda's fixed entries (event_queue.hpp): the
// `slot` field holds the kind in its top 4 bits and an index (node, connection, dial or action
// slot) in the other 28; the `node` field holds a kind-specific word (a flow's direction and
// generation, a partition epoch). Internal to src/sim.
#pragma once

#include <cstdint>

namespace zmesh::sim {

enum class EventKind : std::uint8_t {
  deliver = 0,          // index: connection slot; word: generation << 1 | direction
  timer = 1,            // index: node
  start = 2,            // index: node
  crash = 3,            // index: node
  restart = 4,          // index: node
  action = 5,           // index: scenario action
  dial = 6,             // index: dial slot
  partition_check = 7,  // index: connection slot; word: partition epoch
};

inline constexpr std::uint32_t kEventIndexBits = 28;
inline constexpr std::uint32_t kMaxEventIndex = (1u << kEventIndexBits) - 1;

inline std::uint32_t event_slot(EventKind kind, std::uint32_t index) {
  return static_cast<std::uint32_t>(kind) << kEventIndexBits | index;
}
inline EventKind event_kind(std::uint32_t slot) { return static_cast<EventKind>(slot >> kEventIndexBits); }
inline std::uint32_t event_index(std::uint32_t slot) { return slot & kMaxEventIndex; }

}  // namespace zmesh::sim
