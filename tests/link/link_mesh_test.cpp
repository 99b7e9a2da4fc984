// A few hundred simulated nodes link up over the deterministic simulator (src/sim): every
// edge of a small-world graph runs the full handshake, exchanges a hello on an application
// channel and stays up through keep-alives. This is the link layer as the node layer will
// drive it: one Link per peer behind a runtime Core.
#include <gtest/gtest.h>

#include <map>

#include "link/link.hpp"
#include "link_test_util.hpp"
#include "sim/simulator.hpp"
#include "sim/topology.hpp"

namespace zmesh::link {
namespace {

constexpr Channel kHelloChannel = 2;

struct MeshResult {
  std::size_t open_links = 0;
  std::size_t failed_links = 0;
  std::size_t hellos = 0;
  std::size_t wrong_hellos = 0;
};

// One node: a Link per neighbour. Dials every neighbour with a higher index (expecting its
// NodeId), accepts the others, and sends one hello ("I am node N") once a link is open.
class LinkNode final : public Core {
 public:
  LinkNode(sim::NodeIndex index, const std::vector<NodeIdentity>& identities, const std::vector<std::uint32_t>& neighbours,
           RandomSource& random, MeshResult& result)
      : index_(index), identities_(identities), neighbours_(neighbours), random_(random), result_(result) {}

  void on_start(TimeUs now) override {
    for (std::uint32_t peer : neighbours_) {
      if (peer < index_) continue;
      LinkConfig config;
      config.handshake.expected_peer = identities_[peer].id;
      links_.emplace(peer, Link::dial(identities_[index_], random_, config, now));
    }
    flush(now);
  }

  void on_receive(TimeUs now, PeerHandle from, ByteView payload) override {
    auto it = links_.find(from);
    if (it == links_.end()) {
      if (links_.size() >= kMaxLinks) return;  // bounded table
      it = links_.emplace(from, Link::accept(identities_[index_], random_, LinkConfig{}, now)).first;
    }
    (void)it->second.on_receive(now, payload);
    while (auto message = it->second.poll_message()) {
      const bool right = message->channel == kHelloChannel && message->payload.size() == 4 &&
                         from == (std::uint32_t{message->payload[0]} << 24 | std::uint32_t{message->payload[1]} << 16 |
                                  std::uint32_t{message->payload[2]} << 8 | message->payload[3]) &&
                         it->second.peer_id() == identities_[from].id;
      ++(right ? result_.hellos : result_.wrong_hellos);
    }
    flush(now);
  }

  void on_timeout(TimeUs now) override {
    for (auto& [peer, link] : links_)
      if (link.next_deadline() <= now) link.on_timeout(now);
    flush(now);
  }

  TimeUs next_deadline() const override {
    TimeUs earliest = kNever;
    for (const auto& [peer, link] : links_) earliest = std::min(earliest, link.next_deadline());
    return earliest;
  }

  std::optional<Transmit> poll_transmit() override { return outbox_.pop(); }

  void tally() const {
    for (const auto& [peer, link] : links_) {
      if (link.is_open()) ++result_.open_links;
      if (link.state() == LinkState::failed) ++result_.failed_links;
    }
  }

 private:
  static constexpr std::size_t kMaxLinks = 64;

  void flush(TimeUs now) {
    for (auto& [peer, link] : links_) {
      if (link.is_open() && !hello_sent_[peer]) {
        hello_sent_[peer] = true;
        const Bytes hello = {static_cast<std::uint8_t>(index_ >> 24), static_cast<std::uint8_t>(index_ >> 16),
                             static_cast<std::uint8_t>(index_ >> 8), static_cast<std::uint8_t>(index_)};
        EXPECT_TRUE(link.send(now, kHelloChannel, hello).ok());
      }
      while (auto message = link.poll_transmit()) EXPECT_TRUE(outbox_.push(peer, std::move(*message)));
    }
  }

  sim::NodeIndex index_;
  const std::vector<NodeIdentity>& identities_;
  const std::vector<std::uint32_t>& neighbours_;
  RandomSource& random_;
  MeshResult& result_;
  std::map<PeerHandle, Link> links_;
  std::map<PeerHandle, bool> hello_sent_;
  Outbox outbox_;
};

TEST(LinkMesh, ThreeHundredNodesLinkUpAndStayUp) {
  crypto::init();
  constexpr std::uint32_t kNodes = 300;
  constexpr std::uint32_t kDegree = 4;
  SeededRandom setup(99);
  std::vector<NodeIdentity> identities;
  identities.reserve(kNodes);
  for (std::uint32_t i = 0; i < kNodes; ++i) identities.push_back(NodeIdentity::generate(setup));
  const sim::Adjacency graph = sim::ring_with_chords(kNodes, kDegree, setup);
  std::size_t edges = 0;
  for (const auto& n : graph) edges += n.size();
  edges /= 2;

  MeshResult result;
  sim::Simulator simulator(4242);
  sim::LinkProfile profile;
  profile.latency = 20 * kMillisecond;  // no jitter or loss: the link assumes an ordered, reliable transport
  simulator.set_default_link(profile);
  simulator.add_nodes(kNodes, [&](const sim::NodeContext& context) {
    return std::make_unique<LinkNode>(context.index, identities, graph[context.index], context.random, result);
  });
  // Two minutes of virtual time: handshakes take ~60 ms, then only keep-alives (15 s) keep
  // the links from idling out (60 s).
  simulator.run_for(120 * kSecond);
  for (std::uint32_t i = 0; i < kNodes; ++i) simulator.core_as<LinkNode>(i)->tally();

  EXPECT_EQ(result.failed_links, 0u);
  EXPECT_EQ(result.open_links, 2 * edges) << "both ends of every edge";
  EXPECT_EQ(result.hellos, 2 * edges);
  EXPECT_EQ(result.wrong_hellos, 0u);
  EXPECT_EQ(simulator.stats().dropped_total(), 0u);
  std::printf("link mesh: %u nodes, %zu links, %llu messages, %llu bytes, trace %s\n", kNodes, edges,
              static_cast<unsigned long long>(simulator.stats().messages_sent),
              static_cast<unsigned long long>(simulator.stats().bytes_sent), simulator.trace_hash_hex().c_str());
}

}  // namespace
}  // namespace zmesh::link
