// Node ids as users type them: all 64 hex characters, or a unique prefix of an id the node
// knows (its link peers and the descriptors it holds), as git takes abbreviated commit ids.
// `zmesh status` and `zmesh circuits` print 12-character prefixes; `zmesh ping` and
// `zmesh lookup` take them back.
//
// Server side: GET /v1/nodes?prefix=HEX (docs/protocol/control.md) answers the matches.
// Client side: resolve_node_id() asks it, unless the text already is a full id.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "identity/node_id.hpp"
#include "runtime/time.hpp"
#include "util/result.hpp"

namespace zmesh::app {

inline constexpr std::size_t kMaxPrefixMatches = 16;

// Lower-cased hex, 1..64 characters. invalid_argument otherwise.
Result<std::string> normalize_id_prefix(std::string_view text);
// The ids in `known` that start with `prefix` (already normalized), sorted, without
// duplicates, at most `limit`.
std::vector<NodeId> match_id_prefix(std::string_view prefix, std::vector<NodeId> known, std::size_t limit = kMaxPrefixMatches);
// GET /v1/nodes: the query "prefix=HEX" → {"nodes": [hex...]}, or an error to answer with 400.
Result<nlohmann::json> nodes_by_prefix_json(std::string_view query, std::vector<NodeId> known);

// `text` as a NodeId: a full id as is; a prefix through the node at `control`. Errors:
// invalid_argument (not hex: a usage error), not_found (no known id starts so, or several
// do: the message lists them), and the control API's own errors.
Result<NodeId> resolve_node_id(std::string_view control, std::string_view text, DurationUs timeout);

}  // namespace zmesh::app
