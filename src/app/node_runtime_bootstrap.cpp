// NodeRuntime's bootstrap progress: observes the node every kBootstrapCheckInterval and logs
// what BootstrapProgress says (milestones, a client circuit that cannot be built and why).
#include "app/node_runtime.hpp"
#include "util/log.hpp"

namespace zmesh::app {

void NodeRuntime::check_bootstrap() {
  bootstrap_timer_ = 0;
  if (!bootstrap_ || shutting_down_) return;
  BootstrapObservation seen;
  seen.now = loop_.now();
  seen.linked_peers = core_->peer_count();
  seen.dht_joined = dht_->stats().joined;
  // Copies every descriptor: only while the milestone that needs the count is ahead.
  if (bootstrap_->needs_relay_count())
    seen.relays_known = dht_->known_descriptors(loop_.core_now().unix_seconds(), capability::relay).size();
  seen.ready_circuits = onion_->service().ready_client_circuits();
  // Only a client builds circuits on its own; a relay's probe circuit is not a lasting problem.
  if (!onion_->socks_address().empty()) seen.path_unavailable = onion_->service().path_unavailable();
  for (const BootstrapLogLine& line : bootstrap_->observe(seen)) log::write(line.level, "node", line.text);
  bootstrap_timer_ = loop_.run_after(kBootstrapCheckInterval, [this] { check_bootstrap(); });
}

}  // namespace zmesh::app
