// The circuits one node takes part in, whatever its role, indexed the way cells name them:
// by (link peer, circuit id) on the side towards the client ("inbound": the peer chose the id
// when it sent us the SETUP) and on the side towards the last hop ("outbound": we chose it),
// and by a local handle that never repeats. Every index is bounded (CircuitLimits).
#pragma once

#include <cstdint>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "identity/node_id.hpp"
#include "onion/onion_cell.hpp"
#include "onion/sphinx_keys.hpp"
#include "runtime/random.hpp"
#include "runtime/time.hpp"

namespace zmesh::onion {

// A node-local name for a circuit this node originated or ends (never reused, never sent).
enum class CircuitHandle : std::uint64_t {};
inline std::uint64_t handle_value(CircuitHandle handle) { return static_cast<std::uint64_t>(handle); }

enum class CircuitRole : std::uint8_t {
  origin,    // we built it (client)
  middle,    // we relay it
  last_hop,  // it ends here (relay messages are ours to answer)
};
const char* circuit_role_name(CircuitRole role);

struct Circuit {
  CircuitHandle handle{};
  CircuitRole role = CircuitRole::middle;
  bool open = false;               // the setup completed (reply seen, or sent by the last hop)
  TimeUs setup_deadline = kNever;  // while !open
  NodeId prev;                     // middle, last hop: the neighbour towards the client
  CircuitId prev_id = 0;
  NodeId next;                     // origin, middle: the neighbour towards the last hop
  CircuitId next_id = 0;
  std::vector<HopKeys> keys;       // origin: one per hop in path order; otherwise this hop's
  std::vector<NodeId> path;        // origin only
  std::uint64_t forward_count = 0;   // counter (nonce) of the next forward data cell
  std::uint64_t backward_count = 0;  // counter of the next backward cell (0 = the setup reply)

  bool has_prev() const { return role != CircuitRole::origin; }
  bool has_next() const { return role != CircuitRole::last_hop; }
};

struct CircuitLimits {
  std::size_t max_circuits = 16384;          // all roles together
  std::size_t max_circuits_per_peer = 2048;  // circuits one link peer created through us
  std::size_t max_origin_circuits = 512;     // circuits we built ourselves
};

class CircuitTable {
 public:
  explicit CircuitTable(CircuitLimits limits) : limits_(limits) {}

  // Assigns the handle and indexes the circuit (setup deadline included when !open).
  // limit_exceeded when a limit would be passed; the ids must be unused (else aborts).
  Result<Circuit*> insert(Circuit circuit);
  void erase(CircuitHandle handle);
  void mark_open(Circuit& circuit);

  Circuit* find(CircuitHandle handle);
  const Circuit* find(CircuitHandle handle) const;
  Circuit* find_inbound(const NodeId& prev, CircuitId id);
  Circuit* find_outbound(const NodeId& next, CircuitId id);
  // A random unused non-zero id for a new circuit towards `next`.
  Result<CircuitId> pick_outbound_id(const NodeId& next, RandomSource& random) const;

  // Every circuit with `peer` as its predecessor or successor.
  std::vector<CircuitHandle> through(const NodeId& peer) const;
  TimeUs next_setup_deadline() const { return deadlines_.empty() ? kNever : deadlines_.begin()->first; }
  std::vector<CircuitHandle> setups_expired(TimeUs now) const;

  // Every circuit, in no particular order (inspection and tests).
  template <class Visit>
  void for_each(Visit visit) const {
    for (const auto& entry : circuits_) visit(entry.second);
  }

  std::size_t size() const { return circuits_.size(); }
  std::size_t origin_count() const { return origin_count_; }
  std::size_t created_by(const NodeId& peer) const;
  // Whether any circuit (set up or open) has `peer` as its previous or next hop.
  bool uses_link(const NodeId& peer) const { return by_peer_.count(peer) != 0; }
  const CircuitLimits& limits() const { return limits_; }

 private:
  struct LinkKey {
    NodeId peer;
    CircuitId id;
    bool operator==(const LinkKey&) const = default;
  };
  struct LinkKeyHash {
    std::size_t operator()(const LinkKey& key) const noexcept {
      return std::hash<NodeId>{}(key.peer) * 0x9e3779b97f4a7c15ull ^ key.id;
    }
  };

  CircuitLimits limits_;
  std::unordered_map<std::uint64_t, Circuit> circuits_;  // by handle; references stay valid
  std::unordered_map<LinkKey, CircuitHandle, LinkKeyHash> inbound_;
  std::unordered_map<LinkKey, CircuitHandle, LinkKeyHash> outbound_;
  std::unordered_map<NodeId, std::size_t> created_by_;
  std::unordered_map<NodeId, std::set<std::uint64_t>> by_peer_;  // handles with the peer as prev or next hop
  std::set<std::pair<TimeUs, std::uint64_t>> deadlines_;
  std::uint64_t next_handle_ = 1;
  std::size_t origin_count_ = 0;
};

}  // namespace zmesh::onion
