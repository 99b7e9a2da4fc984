// OnionService: the circuits as `zmesh circuits` shows them (read only).
#include "node/onion_service.hpp"

#include <algorithm>

namespace zmesh::node {

std::vector<OnionCircuitInfo> OnionService::circuits() const {
  std::vector<OnionCircuitInfo> out;
  relay_.circuits().for_each([&](const onion::Circuit& c) {
    OnionCircuitInfo info;
    info.handle = c.handle;
    info.role = c.role;
    info.open = c.open;
    if (c.role == onion::CircuitRole::origin) {
      const char* state = pool_.state(c.handle);
      info.pool_state = state != nullptr ? state : "";
      info.path = c.path;
      info.ready_at = pool_.ready_at(c.handle);
    } else {
      info.prev = c.prev;
      if (c.has_next()) info.next = c.next;
    }
    if (const onion::StreamMux* mux = router_.mux(c.handle)) {
      info.streams = mux->stream_count();
      info.stream_counters = mux->counters();
    }
    info.cells_forward = c.forward_count;
    info.cells_backward = c.backward_count;
    out.push_back(std::move(info));
  });
  std::sort(out.begin(), out.end(), [](const OnionCircuitInfo& a, const OnionCircuitInfo& b) {
    return onion::handle_value(a.handle) < onion::handle_value(b.handle);
  });
  return out;
}

}  // namespace zmesh::node
