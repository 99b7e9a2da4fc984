#include "app/dht_routes.hpp"

namespace zmesh::app {
namespace {

nlohmann::json capability_names(std::uint32_t bits) {
  static constexpr std::pair<std::uint32_t, const char*> kNames[] = {
      {capability::relay, "relay"},         {capability::exit, "exit"},       {capability::dht, "dht"},
      {capability::browser, "browser"},     {capability::content, "content"}, {capability::signaling, "signaling"},
      {capability::push, "push"},
  };
  nlohmann::json names = nlohmann::json::array();
  for (const auto& [bit, name] : kNames)
    if ((bits & bit) != 0) names.push_back(name);
  return names;
}

// "node_id=HEX" out of a query string; other parameters are refused so typos show.
Result<NodeId> node_id_parameter(std::string_view query) {
  constexpr std::string_view kKey = "node_id=";
  if (query.substr(0, kKey.size()) != kKey || query.find('&') != std::string_view::npos)
    return make_error(Errc::invalid_argument, "expected ?node_id=HEX (64 hex digits)");
  auto id = NodeId::from_hex(query.substr(kKey.size()));
  if (!id.ok()) return make_error(Errc::invalid_argument, "node_id: " + id.error().message);
  return id;
}

int http_status_of(Errc code) {
  switch (code) {
    case Errc::not_found: return 404;
    case Errc::timeout: return 504;
    case Errc::limit_exceeded: return 429;
    default: return 500;
  }
}

}  // namespace

nlohmann::json descriptor_json(const NodeDescriptor& d) {
  nlohmann::json addresses = nlohmann::json::array();
  for (const auto& a : d.addresses) addresses.push_back({{"transport", transport_kind_name(a.kind)}, {"address", a.address}});
  nlohmann::json onion_keys = nlohmann::json::array();
  for (const auto& k : d.onion_keys)
    onion_keys.push_back({{"id", k.id().hex()}, {"valid_from", k.valid_from}, {"valid_until", k.valid_until}});
  return {{"node_id", d.node_id.hex()},
          {"sequence", d.sequence},
          {"created_at", d.created_at},
          {"expires_at", d.expires_at},
          {"capabilities", capability_names(d.capabilities)},
          {"capability_bits", d.capabilities},
          {"bandwidth_kib_per_s", d.bandwidth_kib_per_s},
          {"addresses", addresses},
          {"onion_keys", onion_keys}};
}

nlohmann::json dht_status_json(const node::DhtService& dht) {
  const node::DhtServiceStats s = dht.stats();
  const node::DhtPeerCounters& p = dht.peer_counters();
  nlohmann::json out = {{"joined", s.joined},
                        {"routing_table_size", s.routing_table_size},
                        {"records_stored", s.records_stored},
                        {"descriptors_cached", s.descriptors_cached},
                        {"lookups_started", s.lookups_started},
                        {"lookups_succeeded", s.lookups_succeeded},
                        {"descriptor_lookups", s.descriptor_finds},
                        {"descriptors_found", s.descriptors_found},
                        {"descriptors_refused", s.descriptors_refused},
                        {"descriptor_publishes", s.descriptor_publishes},
                        {"messages_sent", p.messages_sent},
                        {"send_failures", p.send_failures},
                        {"dials", p.dials},
                        {"dial_failures", p.dial_failures}};
  if (const NodeDescriptor* own = dht.own_descriptor()) {
    out["descriptor"] = {{"sequence", own->sequence}, {"expires_at", own->expires_at}};
  }
  return out;
}

void lookup_descriptor(node::DhtService& dht, Now now, const io::HttpRequest& request,
                       io::HttpServer::Responder respond) {
  auto id = node_id_parameter(request.query);
  if (!id.ok()) {
    respond(io::json_response(400, {{"error", id.error().message}}));
    return;
  }
  dht.lookup_descriptor(now, *id, [respond](Now, Result<NodeDescriptor> found) {
    if (found.ok()) {
      respond(io::json_response(200, descriptor_json(*found)));
    } else {
      respond(io::json_response(http_status_of(found.error().code), {{"error", found.error().message}}));
    }
  });
}

}  // namespace zmesh::app
