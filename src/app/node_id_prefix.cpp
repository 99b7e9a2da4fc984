#include "app/node_id_prefix.hpp"

#include <algorithm>
#include <cctype>

#include "app/control_client.hpp"

namespace zmesh::app {

Result<std::string> normalize_id_prefix(std::string_view text) {
  if (text.empty() || text.size() > 64)
    return make_error(Errc::invalid_argument, "a node id is 1 to 64 hex characters (a unique prefix will do), got " +
                                                  std::to_string(text.size()));
  std::string out;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return make_error(Errc::invalid_argument, "a node id is hex (0-9, a-f), got '" + std::string(text.substr(0, 80)) + "'");
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

std::vector<NodeId> match_id_prefix(std::string_view prefix, std::vector<NodeId> known, std::size_t limit) {
  std::sort(known.begin(), known.end());
  known.erase(std::unique(known.begin(), known.end()), known.end());
  std::vector<NodeId> out;
  for (const NodeId& id : known) {
    if (out.size() >= limit) break;
    if (id.hex().compare(0, prefix.size(), prefix) == 0) out.push_back(id);
  }
  return out;
}

Result<nlohmann::json> nodes_by_prefix_json(std::string_view query, std::vector<NodeId> known) {
  constexpr std::string_view kKey = "prefix=";
  if (query.substr(0, kKey.size()) != kKey || query.find('&') != std::string_view::npos)
    return make_error(Errc::invalid_argument, "expected ?prefix=HEX");
  ZM_TRY(const std::string prefix, normalize_id_prefix(query.substr(kKey.size())));
  nlohmann::json nodes = nlohmann::json::array();
  for (const NodeId& id : match_id_prefix(prefix, std::move(known))) nodes.push_back(id.hex());
  return nlohmann::json{{"nodes", nodes}};
}

Result<NodeId> resolve_node_id(std::string_view control, std::string_view text, DurationUs timeout) {
  ZM_TRY(const std::string prefix, normalize_id_prefix(text));
  if (prefix.size() == 64) return NodeId::from_hex(prefix);
  ZM_TRY(const nlohmann::json answer, control_call(control, "GET", "/v1/nodes?prefix=" + prefix, "", timeout));
  std::vector<std::string> matches;
  try {
    for (const auto& id : answer.at("nodes")) matches.push_back(id.get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    return make_error(Errc::malformed, std::string("unexpected answer from the control API: ") + e.what());
  }
  if (matches.empty()) return make_error(Errc::not_found, "no node known to this node has an id starting with " + prefix);
  if (matches.size() > 1) {
    std::string list;
    for (const auto& m : matches) list += (list.empty() ? "" : ", ") + m.substr(0, 16);
    return make_error(Errc::not_found, "the id prefix " + prefix + " is ambiguous; it matches " + list +
                                           (matches.size() >= kMaxPrefixMatches ? ", ..." : "") + ": give more characters");
  }
  return NodeId::from_hex(matches.front());
}

}  // namespace zmesh::app
