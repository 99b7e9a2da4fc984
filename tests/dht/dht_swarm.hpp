// Many DHT nodes on the project simulator (src/sim), for the scenario tests and bench/dht_sim.
//
// - Addresses: node index i is "10.a.b.c" with (a,b,c) a fixed bijective scramble of i, so /24
//   prefixes are spread like real ones and the prefix limits see realistic groupings.
// - AddressBook: resolve() parses the address back to the index (= the sim's PeerHandle);
//   authenticated_id() returns the id the node really has, as an authenticated link would.
// - Commands (join, lookup, get) run in a simulator action (Simulator::at), which sends what
//   they queued when the action returns.
// - Records: each honest node announces a record under its own id, signed with
//   SimRecordVerifier (see src/dht/sim_record_verifier.hpp for why not ML-DSA here).
// - Adversaries join like everyone else (so they sit in routing tables) and then answer
//   requests maliciously: `liar` answers FIND_* with k of the d·k colluding adversaries closest
//   to the target (each liar its own rotation of that pool, so that together they can fill all
//   d disjoint paths) and a forged record, acknowledges every STORE and drops it, and answers
//   PING; `silent` never answers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_set>
#include <vector>

#include "dht/dht_node.hpp"
#include "dht/sim_record_verifier.hpp"
#include "sim/simulator.hpp"

namespace zmesh::dht::testing {

enum class Role : std::uint8_t { honest, liar, silent };

struct SwarmConfig {
  std::uint64_t seed = 1;
  DhtConfig dht;
  sim::LinkProfile link;
  std::size_t seeds_per_join = 3;
  TimeUs unix_epoch_offset_us = TimeUs{1'700'000'000} * kSecond;  // the wall clock at virtual time 0
};

std::string sim_address(std::uint32_t index);
std::optional<std::uint32_t> sim_index(std::string_view address);

class DhtSwarm {
 public:
  explicit DhtSwarm(SwarmConfig config);
  ~DhtSwarm();

  // Adds a node now; honest nodes join (bootstrapping from random joined honest nodes) and
  // announce their record, adversaries join and then misbehave.
  sim::NodeIndex add(Role role);
  void crash(sim::NodeIndex node);

  // Runs `command` on the node at virtual time `at` (ignored if the node is down then).
  void command_at(TimeUs time, sim::NodeIndex node, std::function<void(DhtNode&, Now)> command);
  // The Now a node sees at virtual time `time`.
  Now at(TimeUs time) const { return Now{time, time + config_.unix_epoch_offset_us}; }

  sim::Simulator& sim() { return sim_; }
  const SwarmConfig& config() const { return config_; }
  std::size_t size() const { return ids_.size(); }
  const NodeId& id(sim::NodeIndex n) const { return ids_[n]; }
  Role role(sim::NodeIndex n) const { return roles_[n]; }
  bool alive(sim::NodeIndex n) const { return sim_.is_up(n); }
  bool joined(sim::NodeIndex n) const { return joined_[n]; }
  DhtNode* node(sim::NodeIndex n);  // nullptr while down
  // A uniformly random joined, live, honest node (aborts if there is none).
  sim::NodeIndex random_honest(RandomSource& random) const;
  std::optional<sim::NodeIndex> try_random_honest(RandomSource& random) const;
  // The record node `n` announces (deterministic from its id).
  Record record_of(sim::NodeIndex n) const;
  const SimRecordVerifier& verifier() const { return verifier_; }

  // Adversary support: the k adversaries closest to `target` (colluding liars answer with these).
  std::vector<Contact> liars_closest_to(const NodeId& target, std::size_t k) const;
  void mark_joined(sim::NodeIndex n) { joined_[n] = true; }

  class Book;

 private:
  std::unique_ptr<Core> build(const sim::NodeContext& ctx);

  SwarmConfig config_;
  sim::Simulator sim_;
  SeededRandom random_;
  SimRecordVerifier verifier_;
  std::unique_ptr<Book> book_;
  std::vector<NodeId> ids_;
  std::vector<Role> roles_;
  std::vector<char> joined_;
  std::vector<sim::NodeIndex> honest_;  // every honest node ever added; filtered on use
  std::vector<std::pair<NodeId, sim::NodeIndex>> liars_sorted_;  // by id
};

}  // namespace zmesh::dht::testing
