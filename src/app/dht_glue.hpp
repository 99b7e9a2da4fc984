// The DHT in the native node: the service's configuration from the real clock, the control
// API route GET /v1/lookup (docs/protocol/control.md), and the JSON shapes of `zmesh status`'s
// "dht" object and of a looked-up descriptor. NodeRuntime owns the DhtService; this file keeps
// the glue out of node_runtime.cpp.
#pragma once

#include <functional>

#include <nlohmann/json.hpp>

#include "io/control_server.hpp"
#include "io/event_loop.hpp"
#include "node/dht_service.hpp"

namespace zmesh::app {

nlohmann::json descriptor_json(const NodeDescriptor& descriptor);
nlohmann::json dht_status_json(const node::DhtService& dht);

// GET /v1/lookup?node_id=HEX: the node's DHT lookup of that NodeId's verified descriptor.
// `after_command` runs after the lookup is started (the runtime pumps the node's actions).
void add_dht_routes(io::ControlServer& control, node::DhtService& dht, io::EventLoop& loop,
                    std::function<void()> after_command);

}  // namespace zmesh::app
