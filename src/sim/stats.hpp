// Counters the simulator keeps for every run. Two runs from the same seed and the same
// scenario produce equal SimStats (and equal trace hashes).
#pragma once

#include <cstdint>
#include <string>

namespace zmesh::sim {

struct SimStats {
  std::uint64_t events = 0;           // events handed to cores (starts, receives, timeouts)
  std::uint64_t timeouts = 0;         // on_timeout calls
  std::uint64_t messages_sent = 0;    // everything cores (or send_raw) handed to the network
  std::uint64_t bytes_sent = 0;
  std::uint64_t messages_delivered = 0;
  std::uint64_t bytes_delivered = 0;
  // Drops by cause; sent == delivered + every drop + in flight.
  std::uint64_t dropped_loss = 0;        // random loss on the link
  std::uint64_t dropped_queue_full = 0;  // sender queue of a bandwidth-limited link overflowed
  std::uint64_t dropped_partition = 0;   // sender and receiver on different sides (at send or arrival)
  std::uint64_t dropped_node_down = 0;   // receiver down at send, or crashed while it was in flight
  std::uint64_t dropped_no_route = 0;    // address that names no node
  std::uint64_t crashes = 0;
  std::uint64_t restarts = 0;

  std::uint64_t dropped_total() const {
    return dropped_loss + dropped_queue_full + dropped_partition + dropped_node_down + dropped_no_route;
  }
  bool operator==(const SimStats&) const = default;
};

// One line per counter, for logs and the demo.
std::string describe(const SimStats& stats);

}  // namespace zmesh::sim
