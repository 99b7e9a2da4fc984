#include "node/dht_mesh.hpp"

#include <gtest/gtest.h>

namespace zmesh::node::test {

DhtServiceConfig DhtMesh::default_config() {
  DhtServiceConfig config;
  config.dht.request_timeout = 1 * kSecond;
  return config;
}

MemNet::NodeIndex DhtMesh::add(std::size_t identity_index, DhtServiceConfig config) {
  const std::size_t index = members.size();
  auto member = std::make_unique<Member>();
  member->onion_keys.push_back(OnionKeyPair::generate(key_random, kMeshUnixBase));
  member->dht = std::make_unique<DhtService>(identity(identity_index), member->onion_keys, key_random, config);
  const std::string url = "mem://n" + std::to_string(index);
  member->dht->set_listen_urls({url});
  NodeConfig node_config = index == 0 ? NodeConfig{} : with_peers({"mem://n0"});
  std::vector<Service*> services{member->dht.get()};
  if (exchange_descriptors) {
    member->exchange = std::make_unique<DescriptorExchange>(*member->dht);
    services.push_back(member->exchange.get());
  }
  const auto node = net.add_node(identity_index, node_config, {url}, services);
  EXPECT_EQ(node, index);
  members.push_back(std::move(member));
  return node;
}

bool DhtMesh::form(std::size_t nodes, DhtServiceConfig config) {
  for (std::size_t i = 0; i < nodes; ++i) add(i, config);
  start_all();
  if (!run_until_joined(60 * kSecond)) return false;
  net.run_for(5 * kSecond);
  return true;
}

bool DhtMesh::run_until_joined(DurationUs limit) {
  return net.run_until_true(
      [&] {
        for (std::size_t i = 0; i < members.size(); ++i)
          if (net.host(i).core && !dht(i).stats().joined) return false;
        return true;
      },
      limit);
}

Result<NodeDescriptor> DhtMesh::lookup(MemNet::NodeIndex from, const NodeId& target, DurationUs limit) {
  // Shared: a lookup outliving this call must not write into a dead frame.
  auto answer = std::make_shared<std::optional<Result<NodeDescriptor>>>();
  dht(from).lookup_descriptor(net.core_now(), target, [answer](Now, Result<NodeDescriptor> r) { *answer = std::move(r); });
  net.run_until_true([&] { return answer->has_value(); }, limit);
  if (!answer->has_value()) return make_error(Errc::timeout, "no answer in the test's limit");
  return std::move(**answer);
}

}  // namespace zmesh::node::test
