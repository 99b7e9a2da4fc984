// The DHT's part of the control API (docs/protocol/control.md): the handler of GET /v1/lookup
// and the JSON shapes of `zmesh status`'s "dht" object and of a looked-up descriptor.
// NodeRuntime owns the DhtService and registers the route (and drains the node after it).
#pragma once

#include <nlohmann/json.hpp>

#include "io/control_server.hpp"
#include "node/dht_service.hpp"

namespace zmesh::app {

nlohmann::json descriptor_json(const NodeDescriptor& descriptor);
nlohmann::json dht_status_json(const node::DhtService& dht);

// How long GET /v1/lookup may wait for its answer (DHT lookups end after 60 s).
inline constexpr DurationUs kLookupAnswerTimeout = 90 * kSecond;

// GET /v1/lookup?node_id=HEX: starts the node's DHT lookup of that NodeId's verified
// descriptor; `respond` runs once it ended (or at once for a bad query).
void lookup_descriptor(node::DhtService& dht, Now now, const io::HttpRequest& request,
                       io::HttpServer::Responder respond);

}  // namespace zmesh::app
