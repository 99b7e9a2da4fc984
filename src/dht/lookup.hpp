// One iterative lookup (FIND_NODE or FIND_VALUE) with S/Kademlia disjoint paths
// (Baumgart & Mizrak 2007, §4.4): the k closest contacts we know are dealt round-robin into d
// paths; each path runs the ordinary Kademlia iteration (§2.3 of the original paper: keep the
// k closest known, query up to α of them at a time, stop when the k closest have all answered),
// and a node is used by at most one path, so the paths are disjoint. A path that wanders into
// a cluster of lying nodes cannot poison the others: the lookup succeeds if any path reaches
// honest nodes near the target. If all of them converge on a neighbourhood far sparser than
// a real one (colluders naming each other), they go on beyond their windows (LookupParams).
//
// This class is pure bookkeeping; DhtNode sends the queries and reports answers and timeouts.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "dht/contact.hpp"
#include "dht/record.hpp"
#include "runtime/time.hpp"

namespace zmesh::dht {

inline constexpr std::size_t kMaxRecordsPerResult = 8;
inline constexpr std::size_t kMaxDisjointPaths = 16;

enum class LookupKind : std::uint8_t { find_node, find_value };

struct LookupParams {
  std::size_t k = 20;
  std::size_t alpha = 3;           // parallel queries per path
  std::size_t disjoint_paths = 3;  // d
  std::size_t max_candidates = 600;  // bound on contacts remembered by one lookup
  // Sparse-neighbourhood check (docs/protocol/dht.md, "Sybil and eclipse analysis"). Colluding
  // liars can answer only with one another, and a share f of the nodes is 1/f times sparser
  // than the network: paths converged among them hold k closest answered nodes spanning ~1/f
  // times what k nodes around a point span. When every path has converged but the lookup's k
  // closest answered nodes (over all paths) span more than `sparse_window_factor` times our own
  // neighbourhood (set_neighbourhood_radius), the paths query candidates beyond their windows,
  // alpha at a time, while that keeps bringing closer nodes into them. 0 turns it off.
  double sparse_window_factor = 3.0;
  std::size_t max_extension_per_path = 60;  // bounds the extra queries of one path
  std::size_t extension_patience = 2;       // batches that bring nothing closer before giving up
};

struct LookupResult {
  std::uint64_t id = 0;
  LookupKind kind = LookupKind::find_node;
  NodeId target;
  std::vector<Contact> closest;  // nodes that answered, closest first (<= k)
  std::vector<Record> records;   // find_value: valid records found
  bool target_responded = false; // a node with id == target answered (find_node of a node)
  bool target_seen = false;      // some answer mentioned the target
  bool timed_out = false;        // hit the lookup deadline before converging
  std::size_t rounds = 0;        // deepest hop at which a node answered (1 = from our table)
  std::size_t target_hops = 0;   // hop at which the target (or first value) answered
  std::size_t queries_sent = 0;
  std::size_t responses = 0;
  std::size_t failures = 0;      // timeouts and invalid answers
  std::size_t extension_queries = 0;  // queries beyond converged windows (see LookupParams)
  double neighbourhood_radius = 0;    // the yardstick it was given (0: check off)
  TimeUs started_at = 0;
  TimeUs found_at = 0;           // when the target (or first value) answered; 0 if never
  TimeUs finished_at = 0;
  std::size_t stored_at = 0;     // put(): STORE acknowledgements received
};

class Lookup {
 public:
  Lookup(std::uint64_t id, LookupKind kind, const NodeId& target, const NodeId& self, LookupParams params,
         TimeUs now);

  // Seeds the paths with the initial contacts (closest first), dealt round-robin.
  void seed(const std::vector<Contact>& initial);
  // Contacts to query now, each to be reported back through on_response / on_failure.
  std::vector<Contact> next_queries();
  // `from` answered with `contacts`; `records` holds only records that passed validation.
  void on_response(const NodeId& from, const std::vector<Contact>& contacts, std::vector<Record> records, TimeUs now);
  void on_failure(const NodeId& from, TimeUs now);
  // Finishes the lookup if every path has converged (also when it had nobody to ask).
  void check_done(TimeUs now);
  // How far (distance_share) the k closest nodes around a point reach in this network, as
  // DhtNode estimates it. Enables the sparse-neighbourhood check (LookupParams).
  void set_neighbourhood_radius(double share) { radius_ = result_.neighbourhood_radius = share; }

  bool finished() const;
  void force_finish(TimeUs now, bool timed_out);
  LookupResult& result() { return result_; }
  const NodeId& target() const { return target_; }
  LookupKind kind() const { return kind_; }
  bool has_candidate(const NodeId& id) const { return index_.count(id) != 0; }

 private:
  enum class State : std::uint8_t { fresh, in_flight, answered, failed };
  static constexpr std::uint32_t kNoPath = ~std::uint32_t{0};
  struct Candidate {
    Contact contact;
    std::uint32_t known_by = 0;     // bit p: path p has learned it
    std::uint32_t owner = kNoPath;  // the one path allowed to query it, once it did
    std::uint32_t depth = 0;        // hop at which the owner queried it
    State state = State::fresh;
  };
  static constexpr std::uint32_t kFromOurTable = ~std::uint32_t{0};
  struct PathEntry {
    std::uint32_t candidate;
    std::uint32_t depth;       // 1 + depth of the node that told this path about it
    std::uint32_t introducer;  // candidate index of that node, or kFromOurTable
  };
  struct Extension {
    std::vector<std::size_t> adopted;  // candidates beyond the k closest the path was given
    std::size_t unproductive = 0;      // batches after which the window's farthest stayed the same
    std::size_t farthest = 0;          // candidate index of the window's farthest at the last batch
    bool gave_up = false;
  };

  void add(const Contact& contact, std::uint32_t path, std::uint32_t depth, std::uint32_t introducer);
  // Indices of the path's `limit` closest candidates that have not failed and that no other
  // path owns, closest first.
  std::vector<std::size_t> path_window(std::uint32_t path, std::size_t limit) const;
  // What the path may query: its k closest, then the candidates adopted beyond them.
  std::vector<std::size_t> path_queryable(std::uint32_t path) const;
  bool usable_by(std::uint32_t path, std::size_t candidate) const;
  // Nothing in flight and every candidate it may query has answered.
  bool path_settled(std::uint32_t path) const;
  // The k closest answered nodes (all paths) span far more than k nodes should (LookupParams).
  bool neighbourhood_sparse() const;
  // When every path has settled on a sparse neighbourhood: widens the windows of the paths
  // that can still make progress; true if any did. Evaluated once per answer or failure.
  bool extend_if_sparse();
  // Gives one settled path up to alpha fresh candidates beyond its k closest, preferring those
  // not introduced by a member of its k closest (the suspected cluster vouches for itself);
  // false when there are none, the bound is reached, or its last batches brought nothing
  // into its k closest.
  bool try_extend(std::uint32_t path);
  std::uint32_t depth_in(std::uint32_t path, std::size_t candidate) const;
  void finalize(TimeUs now);

  LookupKind kind_;
  NodeId target_;
  NodeId self_;
  LookupParams params_;
  std::vector<Candidate> candidates_;
  std::unordered_map<NodeId, std::size_t> index_;
  std::vector<std::size_t> in_flight_per_path_;
  std::vector<std::vector<PathEntry>> path_order_;  // per path: what it learned, closest first
  std::vector<Extension> extensions_;
  double radius_ = 0;
  std::size_t extension_checked_at_ = ~std::size_t{0};  // responses + failures at the last check
  bool extension_result_ = false;
  bool value_found_ = false;
  bool finalized_ = false;
  LookupResult result_;
};

}  // namespace zmesh::dht
