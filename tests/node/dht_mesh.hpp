// A MemNet of nodes each running a DhtService (real links, real descriptors and signatures,
// virtual time): node 0 listens on mem://n0 and is every other node's only configured peer.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "node/descriptor_exchange.hpp"
#include "node/dht_service.hpp"
#include "node/mem_net.hpp"

namespace zmesh::node::test {

// Unix time at MemNet's time 0 (the descriptors carry Unix expiry).
inline constexpr UnixSeconds kMeshUnixBase = 1'800'000'000;

struct DhtMesh {
  struct Member {
    std::vector<OnionKeyPair> onion_keys;
    std::unique_ptr<DhtService> dht;
    std::unique_ptr<DescriptorExchange> exchange;  // when exchange_descriptors was set
  };
  // Services outlive the cores: members is destroyed after net.
  std::vector<std::unique_ptr<Member>> members;
  SeededRandom key_random{0xd47};
  MemNet net{7};
  // Nodes added from now on also run the descriptor exchange (channel 7), as real nodes do;
  // off by default so that the DHT's own fetch of peers' descriptors is what the tests see.
  bool exchange_descriptors = false;

  static DhtServiceConfig default_config();
  // Adds node `identity_index` (listening on mem://n<index>, seeded by mem://n0 unless it is
  // the first) without starting it.
  MemNet::NodeIndex add(std::size_t identity_index, DhtServiceConfig config = default_config());
  void start_all() { net.start_all(); }
  DhtService& dht(MemNet::NodeIndex node) { return *members[node]->dht; }
  DescriptorExchange& exchange(MemNet::NodeIndex node) { return *members[node]->exchange; }
  UnixSeconds unix_now() { return net.core_now().unix_seconds(); }
  // Adds `nodes` nodes (identities 0..nodes-1), starts them, runs until all joined and then
  // 5 s more for the announcements to land. False if they did not join within a minute.
  bool form(std::size_t nodes, DhtServiceConfig config = default_config());
  // Runs until every started node's service has joined (false after `limit`).
  bool run_until_joined(DurationUs limit);
  // Asks node `from` for `target`'s descriptor through the DHT and runs until the answer.
  Result<NodeDescriptor> lookup(MemNet::NodeIndex from, const NodeId& target, DurationUs limit = 120 * kSecond);
};

}  // namespace zmesh::node::test
