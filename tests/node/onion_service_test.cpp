// The onion service over MemNet: five NodeCores with real links, a StaticPeerDirectory of
// their signed descriptors, links opened on demand to each circuit's next hop, 3-hop circuits
// from the client's pool, and streams checked byte for byte through the exit and back.
#include <gtest/gtest.h>

#include <set>

#include "node/mem_net.hpp"
#include "node/onion_service.hpp"
#include "node/static_peer_directory.hpp"
#include "node/transport_url.hpp"

namespace zmesh::node {
namespace {

using onion::StreamError;
using test::MemNet;
using onion::StreamEventKind;

constexpr UnixSeconds kUnixStart = 1'750'000'000;
constexpr TimeUs kUnixOffsetUs = static_cast<TimeUs>(kUnixStart) * kSecond;

// One node of the mesh: its onion keys, descriptor and service.
struct OnionNode {
  std::unique_ptr<SeededRandom> random;
  std::vector<OnionKeyPair> keys;
  NodeDescriptor descriptor;
  std::unique_ptr<OnionService> service;
  MemNet::NodeIndex index = 0;
};

// What one end of a stream has sent and received.
struct StreamEnd {
  StreamKey key = 0;
  Bytes to_send;
  std::size_t sent = 0;
  Bytes received;
  bool connected = false, peer_finished = false, closed = false, failed = false, finished = false;
  StreamError error = StreamError::none;
  onion::StreamTarget target;
};

class OnionMesh {
 public:
  // Node 0 is the client; nodes 1..relays are relays; the last one is the exit.
  explicit OnionMesh(std::size_t relays, bool exit_accepts = true, std::size_t hops = 3) : net_(7) {
    SeededRandom keys_random(11);
    for (std::size_t i = 0; i <= relays; ++i) {
      auto node = std::make_unique<OnionNode>();
      node->random = keys_random.fork();
      node->keys.push_back(OnionKeyPair::generate(*node->random, kUnixStart - kHour));
      NodeDescriptor& d = node->descriptor;
      d.created_at = kUnixStart - kHour;
      d.expires_at = kUnixStart + kDay;
      d.sequence = 1;
      d.capabilities = capability::relay | (i == relays ? capability::exit : 0);
      d.bandwidth_kib_per_s = 1000;
      d.onion_keys = {node->keys.front().public_part()};
      d.addresses = {TransportAddress{kTransportMem, "mem://n" + std::to_string(i)}};
      EXPECT_TRUE(d.sign(test::identity(i), *node->random).ok());
      EXPECT_TRUE(directory_.add(d, kUnixStart).ok());
      nodes_.push_back(std::move(node));
    }
    net_.set_unix_offset_us(kUnixOffsetUs);
    for (std::size_t i = 0; i <= relays; ++i) {
      OnionNode& node = *nodes_[i];
      OnionServiceConfig config;
      config.hops = hops;
      config.accept_streams = i == relays && exit_accepts;
      config.ready_circuits = i == 0 ? 2 : 0;
      node.service = std::make_unique<OnionService>(test::identity(i).id, clone_onion_keys(node.keys), directory_, *node.random, config);
      node.index = net_.add_node(i, NodeConfig{}, {"mem://n" + std::to_string(i)}, {node.service.get()});
    }
    net_.start_all();
  }

  MemNet& net() { return net_; }
  OnionService& service(std::size_t i) { return *nodes_[i]->service; }
  OnionService& client() { return service(0); }
  OnionService& exit() { return service(nodes_.size() - 1); }
  StaticPeerDirectory& directory() { return directory_; }

  // Moves bytes for every stream end of `service` and handles its events; the exit side
  // accepts each incoming stream and echoes what it reads.
  void step(OnionService& service, std::map<StreamKey, StreamEnd>& ends, bool echo) {
    const Now now = net_.core_now();
    while (auto e = service.poll_stream_event()) {
      StreamEnd& end = ends[e->stream];
      end.key = e->stream;
      switch (e->kind) {
        case StreamEventKind::incoming:
          end.target = e->target;
          EXPECT_TRUE(service.accept_stream(now, e->stream).ok());
          end.connected = true;
          break;
        case StreamEventKind::connected: end.connected = true; break;
        case StreamEventKind::peer_finished: end.peer_finished = true; break;
        case StreamEventKind::closed: end.closed = true; break;
        case StreamEventKind::open_failed:
        case StreamEventKind::reset: end.failed = true; end.error = e->error; break;
        case StreamEventKind::readable:
        case StreamEventKind::writable: break;
      }
    }
    for (auto& [key, end] : ends) {
      if (end.closed || end.failed || !end.connected) continue;
      std::uint8_t buffer[4096];
      while (true) {
        auto n = service.read(now, key, MutableByteView(buffer, sizeof buffer));
        if (!n.ok() || *n == 0) break;
        end.received.insert(end.received.end(), buffer, buffer + *n);
        if (echo) end.to_send.insert(end.to_send.end(), buffer, buffer + *n);
      }
      if (end.sent < end.to_send.size()) {
        auto n = service.write(now, key, ByteView(end.to_send).subspan(end.sent));
        if (n.ok()) end.sent += *n;
      }
      const bool done_sending = echo ? end.peer_finished && service.at_eof(key) : true;
      if (done_sending && end.sent == end.to_send.size() && !end.finished) end.finished = service.finish(now, key).ok();
    }
  }

 private:
  MemNet net_;
  StaticPeerDirectory directory_;
  std::vector<std::unique_ptr<OnionNode>> nodes_;
};

TEST(OnionService, ClientPoolBuildsThreeHopCircuitsThroughDialledLinks) {
  OnionMesh mesh(4);
  mesh.client().warm_up(mesh.net().core_now());
  ASSERT_TRUE(mesh.net().run_until_true([&] { return mesh.client().ready_client_circuits() == 2; }, 10 * kSecond))
      << mesh.client().status().last_build_error << mesh.net().logs(0);
  const OnionServiceStatus client = mesh.client().status();
  EXPECT_EQ(client.circuits_origin_open, 2u);
  EXPECT_EQ(mesh.exit().status().circuits_last_hop, 2u);  // the only exit ends both
  std::size_t middles = 0;
  for (std::size_t i = 1; i <= 3; ++i) middles += mesh.service(i).status().circuits_middle;
  EXPECT_EQ(middles, 4u);  // two non-exit hops per circuit
}

TEST(OnionService, StreamsCarryDataByteExactThroughThreeHops) {
  OnionMesh mesh(4);
  std::map<StreamKey, StreamEnd> client_ends, exit_ends;
  SeededRandom random(5);
  std::vector<StreamKey> keys;
  for (int i = 0; i < 3; ++i) {
    auto key = mesh.client().open_stream(mesh.net().core_now(), onion::StreamTarget::to_domain("example.org", 80 + i));
    ASSERT_TRUE(key.ok()) << key.error().describe();
    StreamEnd& end = client_ends[*key];
    end.key = *key;
    end.to_send.resize(150'000 + 40'000 * i);
    random.fill(end.to_send);
    keys.push_back(*key);
  }
  auto all_closed = [&] {
    mesh.step(mesh.client(), client_ends, false);
    mesh.step(mesh.exit(), exit_ends, true);
    for (StreamKey key : keys)
      if (!client_ends[key].closed && !client_ends[key].failed) return false;
    return true;
  };
  ASSERT_TRUE(mesh.net().run_until_true(all_closed, 60 * kSecond)) << mesh.net().logs(0);
  for (StreamKey key : keys) {
    const StreamEnd& end = client_ends[key];
    EXPECT_FALSE(end.failed) << onion::stream_error_name(end.error);
    EXPECT_EQ(end.received, end.to_send);  // echoed back unchanged, in order
  }
  ASSERT_EQ(exit_ends.size(), 3u);
  std::set<std::uint16_t> ports;
  for (const auto& [key, end] : exit_ends) {
    EXPECT_EQ(end.target.domain, "example.org");
    ports.insert(end.target.port);
  }
  EXPECT_EQ(ports, (std::set<std::uint16_t>{80, 81, 82}));
  EXPECT_GT(mesh.client().status().relay.relay_messages_sent, 3 * 150'000u / onion::kMaxRelayPayloadBytes);
  EXPECT_EQ(mesh.client().status().streams, 0u);
}

TEST(OnionService, ExitThatAcceptsNoStreamsRefusesWithExitPolicy) {
  OnionMesh mesh(3, /*exit_accepts=*/false);
  std::map<StreamKey, StreamEnd> client_ends;
  auto key = mesh.client().open_stream(mesh.net().core_now(), onion::StreamTarget::to_domain("example.org", 443));
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(mesh.net().run_until_true([&] {
    mesh.step(mesh.client(), client_ends, false);
    return client_ends[*key].failed || client_ends[*key].connected;
  }, 20 * kSecond));
  EXPECT_TRUE(client_ends[*key].failed);
  EXPECT_EQ(client_ends[*key].error, StreamError::exit_policy);
}

// What the SOCKS exit does for a refused target or a closed port: the application refuses the
// incoming stream. Both ends forget it (status().streams is what `zmesh status` shows as open).
TEST(OnionService, StreamsRefusedByTheExitApplicationLeaveNothingBehind) {
  OnionMesh mesh(3);
  std::map<StreamKey, StreamEnd> client_ends;
  std::vector<StreamKey> keys;
  for (int i = 0; i < 2; ++i) {
    auto key = mesh.client().open_stream(mesh.net().core_now(), onion::StreamTarget::to_domain("example.org", 443));
    ASSERT_TRUE(key.ok());
    keys.push_back(*key);
  }
  ASSERT_TRUE(mesh.net().run_until_true([&] {
    const Now now = mesh.net().core_now();
    while (auto e = mesh.exit().poll_stream_event()) {
      if (e->kind == StreamEventKind::incoming) {
        EXPECT_TRUE(mesh.exit().refuse_stream(now, e->stream, StreamError::exit_policy).ok());
      }
    }
    mesh.step(mesh.client(), client_ends, false);
    return client_ends[keys[0]].failed && client_ends[keys[1]].failed;
  }, 20 * kSecond));
  mesh.net().run_for(30 * kSecond);
  EXPECT_EQ(mesh.client().status().streams, 0u);
  EXPECT_EQ(mesh.exit().status().streams, 0u);
}

// The last call a client makes on a stream whose peer already finished: finish(). Sending that
// END ends the stream (`closed`) inside the service's pass, after the mux's events were polled;
// the event must still come out without any further call or event touching that circuit.
TEST(OnionService, ClosedArrivesWhenOurEndIsTheLastThingSent) {
  OnionMesh mesh(3);
  std::map<StreamKey, StreamEnd> exit_ends;
  auto key = mesh.client().open_stream(mesh.net().core_now(), onion::StreamTarget::to_domain("example.org", 80));
  ASSERT_TRUE(key.ok());
  bool connected = false, peer_finished = false, closed = false;
  auto client_events = [&] {
    while (auto e = mesh.client().poll_stream_event()) {
      if (e->stream != *key) continue;
      connected = connected || e->kind == StreamEventKind::connected;
      peer_finished = peer_finished || e->kind == StreamEventKind::peer_finished;
      closed = closed || e->kind == StreamEventKind::closed;
    }
  };
  ASSERT_TRUE(mesh.net().run_until_true([&] { client_events(); mesh.step(mesh.exit(), exit_ends, false); return connected; }, 20 * kSecond));
  // The exit finishes at once (it has nothing to send): the client sees peer_finished.
  ASSERT_TRUE(mesh.net().run_until_true([&] {
    client_events();
    const Now now = mesh.net().core_now();
    for (auto& [exit_key, end] : exit_ends)
      if (!end.finished) end.finished = mesh.exit().finish(now, exit_key).ok();
    return peer_finished;
  }, 20 * kSecond));
  ASSERT_TRUE(mesh.client().at_eof(*key));
  ASSERT_TRUE(mesh.client().finish(mesh.net().core_now(), *key).ok());
  client_events();
  EXPECT_TRUE(closed) << "our END was the last message: the stream is over on our side";
  EXPECT_EQ(mesh.client().status().streams, 0u);
}

TEST(OnionService, PoolIsRebuiltWhenARelayDies) {
  OnionMesh mesh(5, true, 2);  // 2 hops: four non-exit relays to choose the first hop from
  mesh.client().warm_up(mesh.net().core_now());
  ASSERT_TRUE(mesh.net().run_until_true([&] { return mesh.client().ready_client_circuits() == 2; }, 10 * kSecond));
  std::size_t victim = 0;
  for (std::size_t i = 1; i <= 4 && victim == 0; ++i)
    if (mesh.service(i).status().circuits_middle > 0) victim = i;
  ASSERT_NE(victim, 0u);
  const std::uint64_t built = mesh.client().status().circuits_built;
  mesh.directory().remove(test::identity(victim).id);  // gone from the directory too
  mesh.net().crash(victim);
  ASSERT_TRUE(mesh.net().run_until_true([&] {
    return mesh.client().ready_client_circuits() == 2 && mesh.client().status().circuits_built > built;
  }, 20 * kSecond)) << mesh.client().status().last_build_error;
}

TEST(OnionService, CircuitsTakeNewStreamsOnlyWhileFreshThenAreReplaced) {
  OnionMesh mesh(4);
  mesh.client().warm_up(mesh.net().core_now());
  ASSERT_TRUE(mesh.net().run_until_true([&] { return mesh.client().ready_client_circuits() == 2; }, 10 * kSecond));
  std::map<StreamKey, StreamEnd> client_ends, exit_ends;
  auto key = mesh.client().open_stream(mesh.net().core_now(), onion::StreamTarget::to_domain("example.org", 80));
  ASSERT_TRUE(key.ok());
  client_ends[*key].finished = true;  // hold the stream open (no END) until we say so
  auto step = [&] {
    mesh.step(mesh.client(), client_ends, false);
    mesh.step(mesh.exit(), exit_ends, true);
  };
  ASSERT_TRUE(mesh.net().run_until_true([&] { step(); return client_ends[*key].connected; }, 10 * kSecond));
  // Ten minutes on, both circuits are stale: two fresh ones replace them, the idle stale one
  // is closed, the one carrying the open stream stays until the stream ends.
  mesh.net().run_for(10 * 60 * kSecond + kSecond);
  ASSERT_TRUE(mesh.net().run_until_true([&] { step(); return mesh.client().ready_client_circuits() == 2; }, 10 * kSecond));
  EXPECT_EQ(mesh.client().status().circuits_built, 4u);
  EXPECT_EQ(mesh.client().status().circuits_origin, 3u);
  EXPECT_FALSE(client_ends[*key].failed);
  client_ends[*key].to_send = Bytes(5000, 7);
  client_ends[*key].finished = false;
  ASSERT_TRUE(mesh.net().run_until_true([&] { step(); return client_ends[*key].closed; }, 10 * kSecond));
  EXPECT_EQ(client_ends[*key].received, client_ends[*key].to_send);
  ASSERT_TRUE(mesh.net().run_until_true([&] { return mesh.client().status().circuits_origin == 2; }, 5 * kSecond));
}

TEST(OnionService, StreamWaitingForACircuitFailsWhenNoPathExists) {
  OnionMesh mesh(1);  // one relay cannot make a 3-hop path
  std::map<StreamKey, StreamEnd> client_ends;
  auto key = mesh.client().open_stream(mesh.net().core_now(), onion::StreamTarget::to_domain("example.org", 80));
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(mesh.net().run_until_true([&] {
    mesh.step(mesh.client(), client_ends, false);
    return client_ends[*key].failed;
  }, 60 * kSecond));
  EXPECT_EQ(client_ends[*key].error, StreamError::timeout);
  EXPECT_NE(mesh.client().status().last_build_error.find("distinct /16"), std::string::npos)
      << mesh.client().status().last_build_error;
}

TEST(OnionService, RotatesOnionKeysKeepsTheOldOneForItsGraceAndReportsEachChange) {
  SeededRandom random(21);
  StaticPeerDirectory directory;
  OnionServiceConfig config;
  config.key_rotation.lifetime = 4 * kHour;
  config.key_rotation.lead = 1 * kHour;
  config.key_rotation.grace = 10 * kMinute;
  std::vector<OnionKeyPair> keys;
  keys.push_back(OnionKeyPair::generate(random, kUnixStart - kHour, 2 * kHour));  // lead point: now
  OnionService service(test::identity(0).id, clone_onion_keys(keys), directory, random, config);
  std::vector<std::vector<OnionKeyId>> reported;
  service.on_onion_keys_changed([&](Now, const std::vector<OnionKeyPair>& held) {
    std::vector<OnionKeyId> ids;
    for (const OnionKeyPair& key : held) ids.push_back(key.id());
    reported.push_back(ids);
  });
  MemNet net(3);
  net.set_unix_offset_us(kUnixOffsetUs);
  net.add_node(0, NodeConfig{}, {}, {&service});
  net.start_all();
  net.run_for(kSecond);
  ASSERT_EQ(reported.size(), 1u);  // a new key, the old one kept
  ASSERT_EQ(reported[0].size(), 2u);
  EXPECT_EQ(reported[0][0], keys[0].id());
  EXPECT_EQ(service.relay().onion_key_count(), 2u);
  EXPECT_EQ(service.onion_keys()[1].valid_until - service.onion_keys()[1].valid_from, 4 * kHour);
  net.run_for(static_cast<DurationUs>(kHour + 9 * kMinute) * kSecond);  // the old key ends at +1 h; its grace runs 10 min more
  EXPECT_EQ(reported.size(), 1u);
  net.run_for(static_cast<DurationUs>(2 * kMinute) * kSecond);
  ASSERT_EQ(reported.size(), 2u);
  ASSERT_EQ(reported[1].size(), 1u);
  EXPECT_EQ(reported[1][0], reported[0][1]);
  EXPECT_EQ(service.relay().onion_key_count(), 1u);
  EXPECT_EQ(service.status().key_rotations, 2u);
}

TEST(OnionService, PathUnavailableSaysWhyUntilAPathCanBeChosen) {
  OnionMesh mesh(1);  // one relay cannot make a 3-hop path
  EXPECT_EQ(mesh.client().path_unavailable(), "");
  auto key = mesh.client().open_stream(mesh.net().core_now(), onion::StreamTarget::to_domain("example.org", 80));
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(mesh.client().stream_waiting(*key));
  EXPECT_NE(mesh.client().path_unavailable().find("3-hop path (1 usable relays known)"), std::string::npos)
      << mesh.client().path_unavailable();
}

TEST(OnionService, NewCircuitsMovesNewStreamsToCircuitsBuiltAfterIt) {
  OnionMesh mesh(4);
  mesh.client().warm_up(mesh.net().core_now());
  ASSERT_TRUE(mesh.net().run_until_true([&] { return mesh.client().ready_client_circuits() == 2; }, 10 * kSecond));
  std::set<std::uint64_t> before;
  for (const OnionCircuitInfo& c : mesh.client().circuits()) {
    ASSERT_EQ(c.role, onion::CircuitRole::origin);
    EXPECT_STREQ(c.pool_state, "fresh");
    EXPECT_EQ(c.path.size(), 3u);
    EXPECT_EQ(c.path.back(), test::identity(4).id);  // the exit ends every path
    EXPECT_NE(c.ready_at, kNever);
    before.insert(onion::handle_value(c.handle));
  }
  ASSERT_EQ(before.size(), 2u);
  mesh.client().new_circuits(mesh.net().core_now());
  EXPECT_EQ(mesh.client().ready_client_circuits(), 0u);
  ASSERT_TRUE(mesh.net().run_until_true([&] { return mesh.client().ready_client_circuits() == 2; }, 10 * kSecond));
  std::size_t fresh = 0;
  for (const OnionCircuitInfo& c : mesh.client().circuits()) {
    EXPECT_EQ(before.count(onion::handle_value(c.handle)), 0u) << "an idle old circuit was kept";
    fresh += std::string(c.pool_state) == "fresh";
  }
  EXPECT_EQ(fresh, 2u);
  std::map<StreamKey, StreamEnd> client_ends, exit_ends;
  auto key = mesh.client().open_stream(mesh.net().core_now(), onion::StreamTarget::to_domain("example.org", 80));
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(mesh.net().run_until_true([&] {
    mesh.step(mesh.client(), client_ends, false);
    mesh.step(mesh.exit(), exit_ends, true);
    return client_ends[*key].connected;
  }, 10 * kSecond));
  std::uint64_t carried = 0;
  for (const OnionCircuitInfo& c : mesh.client().circuits()) carried += c.stream_counters.streams_opened;
  EXPECT_EQ(carried, 1u);
}

}  // namespace
}  // namespace zmesh::node
