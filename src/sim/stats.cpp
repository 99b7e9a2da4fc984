#include "sim/stats.hpp"

namespace zmesh::sim {

std::string describe(const SimStats& s) {
  std::string out;
  auto line = [&out](const char* name, std::uint64_t value) {
    out += name;
    out += ": ";
    out += std::to_string(value);
    out += '\n';
  };
  line("events", s.events);
  line("timeouts", s.timeouts);
  line("messages sent", s.messages_sent);
  line("messages delivered", s.messages_delivered);
  line("bytes sent", s.bytes_sent);
  line("bytes delivered", s.bytes_delivered);
  line("dropped (loss)", s.dropped_loss);
  line("dropped (queue full)", s.dropped_queue_full);
  line("dropped (partition)", s.dropped_partition);
  line("dropped (node down)", s.dropped_node_down);
  line("dropped (no route)", s.dropped_no_route);
  line("crashes", s.crashes);
  line("restarts", s.restarts);
  return out;
}

}  // namespace zmesh::sim
