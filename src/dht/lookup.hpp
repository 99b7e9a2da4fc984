// One iterative lookup (FIND_NODE or FIND_VALUE) with S/Kademlia disjoint paths
// (Baumgart & Mizrak 2007, §4.4): the k closest contacts we know are dealt round-robin into d
// paths; each path runs the ordinary Kademlia iteration (§2.3 of the original paper: keep the
// k closest known, query up to α of them at a time, stop when the k closest have all answered),
// and a node is used by at most one path, so the paths are disjoint. A path that wanders into
// a cluster of lying nodes cannot poison the others: the lookup succeeds if any path reaches
// honest nodes near the target.
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
  struct PathEntry {
    std::uint32_t candidate;
    std::uint32_t depth;  // 1 + depth of the node that told this path about it
  };

  void add(const Contact& contact, std::uint32_t path, std::uint32_t depth);
  // Indices of the path's k closest candidates that have not failed, closest first.
  std::vector<std::size_t> path_window(std::uint32_t path) const;
  bool path_done(std::uint32_t path) const;
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
  bool value_found_ = false;
  bool finalized_ = false;
  LookupResult result_;
};

}  // namespace zmesh::dht
