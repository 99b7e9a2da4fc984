// OnionRelay (onion_relay.hpp) in a small in-memory network: circuits of 1..3 hops open after
// one round trip, carry relay messages byte-exact both ways, and are torn down cleanly on
// tampering, replays, unknown keys, timeouts, lost links, limits and requests.
#include <gtest/gtest.h>

#include <algorithm>

#include "onion_test_support.hpp"

namespace zmesh::onion {
namespace {

using test::events_of;
using test::TestNetwork;
using test::TestRelayKeys;

class OnionRelayTest : public ::testing::Test {
 protected:
  explicit OnionRelayTest(OnionRelayConfig config = TestNetwork::default_config()) : net(77, config) {
    client = net.add_node().id;
    for (int i = 0; i < 4; ++i) relays.push_back(&net.add_node());
  }

  std::vector<SetupHop> path(std::initializer_list<int> indices) {
    std::vector<SetupHop> hops;
    for (int i : indices) hops.push_back(relays[static_cast<std::size_t>(i)]->hop());
    return hops;
  }

  CircuitHandle build(std::initializer_list<int> indices) {
    auto handle = net.relay(client).build_circuit(test::at(0), path(indices));
    EXPECT_TRUE(handle.ok()) << handle.error().describe();
    net.run();
    return *handle;
  }

  // The circuit at relay `index` that is not the client's (relays hold one circuit each here).
  const Circuit* circuit_at(int index) {
    const OnionRelay& relay = net.relay(relays[static_cast<std::size_t>(index)]->id);
    for (std::uint64_t h = 1; h < 64; ++h)
      if (const Circuit* c = relay.circuit(CircuitHandle{h})) return c;
    return nullptr;
  }

  std::vector<CircuitClosed> closed(const NodeId& id) { return events_of<CircuitClosed>(net.events(id)); }

  TestNetwork net;
  NodeId client;
  std::vector<const TestRelayKeys*> relays;
};

TEST_F(OnionRelayTest, CircuitsOpenAfterOneRoundTripAndEachHopKnowsOnlyItsNeighbours) {
  for (std::initializer_list<int> hops : {std::initializer_list<int>{0}, {1, 2}, {0, 1, 2}}) {
    const std::size_t before = net.delivered();
    const CircuitHandle handle = build(hops);
    // One SETUP per hop on the way out, one SETUP_REPLY per hop on the way back.
    EXPECT_EQ(net.delivered() - before, 2 * hops.size());
    const auto ready = events_of<CircuitReady>(net.events(client));
    ASSERT_FALSE(ready.empty());
    EXPECT_EQ(ready.back().circuit, handle);
    const Circuit* origin = net.relay(client).circuit(handle);
    ASSERT_NE(origin, nullptr);
    EXPECT_TRUE(origin->open);
    EXPECT_EQ(origin->next, relays[static_cast<std::size_t>(*hops.begin())]->id);
  }
  // The 3-hop circuit {0, 1, 2}: each relay's entry names exactly its two neighbours.
  net.relay(client).close_circuit(test::at(0), CircuitHandle{1});
  net.relay(client).close_circuit(test::at(0), CircuitHandle{2});
  net.run();
  const Circuit* first = circuit_at(0);
  const Circuit* middle = circuit_at(1);
  const Circuit* last = circuit_at(2);
  ASSERT_TRUE(first && middle && last);
  EXPECT_EQ(first->role, CircuitRole::middle);
  EXPECT_EQ(first->prev, client);
  EXPECT_EQ(first->next, relays[1]->id);
  EXPECT_EQ(middle->prev, relays[0]->id);
  EXPECT_EQ(middle->next, relays[2]->id);
  EXPECT_EQ(last->role, CircuitRole::last_hop);
  EXPECT_EQ(last->prev, relays[1]->id);
  const auto incoming = events_of<IncomingCircuit>(net.events(relays[2]->id));
  ASSERT_EQ(incoming.size(), 2u);  // the 2-hop {1, 2} and the 3-hop circuit end there
  EXPECT_EQ(incoming.back().previous_hop, relays[1]->id);
}

TEST_F(OnionRelayTest, SetupCellsHaveOneSizeWhateverThePathLength) {
  build({0, 1});
  build({0, 1, 2});
  build({3});
  for (const auto& flight : net.log()) {
    auto cell = parse_cell(flight.cell);
    ASSERT_TRUE(cell.ok());
    EXPECT_EQ(flight.cell.size(), cell->command == CellCommand::setup ? kSetupCellBytes : kFixedCellBytes);
  }
}

TEST_F(OnionRelayTest, RelayMessagesRoundTripByteExactBothWays) {
  SeededRandom random(5);
  for (std::initializer_list<int> hops : {std::initializer_list<int>{3}, {1, 0}, {2, 3, 0}}) {
    const CircuitHandle handle = build(hops);
    const NodeId exit = relays[static_cast<std::size_t>(*(hops.end() - 1))]->id;
    const auto incoming = events_of<IncomingCircuit>(net.events(exit));
    ASSERT_FALSE(incoming.empty());
    const CircuitHandle exit_handle = incoming.back().circuit;

    std::vector<Bytes> sent_forward, sent_backward;
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, std::size_t{100}, kMaxRelayPayloadBytes}) {
      for (int repeat = 0; repeat < 3; ++repeat) {
        Bytes forward(size), backward(size);
        random.fill(forward);
        random.fill(backward);
        ASSERT_TRUE(net.relay(client).send_relay_message(test::at(0), handle, forward).ok());
        ASSERT_TRUE(net.relay(exit).send_relay_message(test::at(0), exit_handle, backward).ok());
        sent_forward.push_back(forward);
        sent_backward.push_back(backward);
      }
    }
    net.events(client).clear();
    net.events(exit).clear();
    net.run();
    std::vector<Bytes> got_forward, got_backward;
    for (const auto& m : events_of<RelayMessageReceived>(net.events(exit))) {
      EXPECT_EQ(m.circuit, exit_handle);
      EXPECT_EQ(m.role, CircuitRole::last_hop);
      got_forward.push_back(m.payload);
    }
    for (const auto& m : events_of<RelayMessageReceived>(net.events(client))) {
      EXPECT_EQ(m.circuit, handle);
      EXPECT_EQ(m.role, CircuitRole::origin);
      got_backward.push_back(m.payload);
    }
    EXPECT_EQ(got_forward, sent_forward);
    EXPECT_EQ(got_backward, sent_backward);
  }
  EXPECT_TRUE(net.cell_errors().empty());
  EXPECT_EQ(net.relay(client).send_relay_message(test::at(0), CircuitHandle{1}, Bytes(kMaxRelayPayloadBytes + 1)).error().code,
            Errc::too_large);
}

TEST_F(OnionRelayTest, PaddingIsDroppedSilently) {
  const CircuitHandle handle = build({0, 1});
  const CircuitHandle exit_handle = events_of<IncomingCircuit>(net.events(relays[1]->id)).back().circuit;
  ASSERT_TRUE(net.relay(client).send_padding(test::at(0), handle).ok());
  ASSERT_TRUE(net.relay(relays[1]->id).send_padding(test::at(0), exit_handle).ok());
  ASSERT_TRUE(net.relay(client).send_relay_message(test::at(0), handle, Bytes{1, 2}).ok());
  net.run();
  const auto got = events_of<RelayMessageReceived>(net.events(relays[1]->id));
  ASSERT_EQ(got.size(), 1u);  // the padding cell advanced the counters but delivered nothing
  EXPECT_EQ(got[0].payload, (Bytes{1, 2}));
  EXPECT_TRUE(events_of<RelayMessageReceived>(net.events(client)).empty());
  EXPECT_TRUE(closed(client).empty());
}

TEST_F(OnionRelayTest, SendingBeforeReadyOrOnUnknownCircuitsFails) {
  auto handle = net.relay(client).build_circuit(test::at(0), path({0, 1}));
  ASSERT_TRUE(handle.ok());
  EXPECT_EQ(net.relay(client).send_relay_message(test::at(0), *handle, Bytes{1}).error().code, Errc::closed);
  EXPECT_EQ(net.relay(client).send_relay_message(test::at(0), CircuitHandle{99}, Bytes{1}).error().code, Errc::not_found);
  net.run();
  EXPECT_TRUE(net.relay(client).send_relay_message(test::at(0), *handle, Bytes{1}).ok());
  // Paths through ourselves, repeated relays or too many hops are refused up front.
  std::vector<SetupHop> self_path = path({0});
  self_path[0].node = client;
  EXPECT_EQ(net.relay(client).build_circuit(test::at(0), self_path).error().code, Errc::invalid_argument);
  EXPECT_FALSE(net.relay(client).build_circuit(test::at(0), path({0, 0})).ok());
  EXPECT_FALSE(net.relay(client).build_circuit(test::at(0), path({0, 1, 2, 3})).ok());
}

TEST_F(OnionRelayTest, AFlippedBitInADataCellIsDroppedAtTheNextHopAndTearsTheCircuitDown) {
  SeededRandom random(6);
  for (int trial = 0; trial < 40; ++trial) {
    const CircuitHandle handle = build({0, 1, 2});
    net.events(client).clear();
    net.events(relays[2]->id).clear();
    // Flip one bit of the data cell on a random link of the path, anywhere in the cell body.
    const int link = static_cast<int>(random.uniform(3));  // 0: client->r0, 1: r0->r1, 2: r1->r2
    const std::size_t bit = kCellHeaderBytes * 8 + random.uniform(kCellBodyBytes * 8);
    const NodeId target = relays[static_cast<std::size_t>(link)]->id;
    net.set_interceptor([&, done = false](TestNetwork::InFlight& flight) mutable {
      auto cell = parse_cell(flight.cell);
      if (!done && cell && cell->command == CellCommand::data_forward && flight.to == target) {
        flight.cell[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        done = true;
      }
      return true;
    });
    const std::uint64_t failures_before = net.relay(target).stats().integrity_failures;
    ASSERT_TRUE(net.relay(client).send_relay_message(test::at(0), handle, Bytes(50, 7)).ok());
    net.run();
    net.set_interceptor(nullptr);
    // The very next hop caught it.
    EXPECT_EQ(net.relay(target).stats().integrity_failures, failures_before + 1) << "trial " << trial;
    // Nothing arrives at the exit; the exit learns only that the circuit closed.
    EXPECT_TRUE(events_of<RelayMessageReceived>(net.events(relays[2]->id)).empty()) << "trial " << trial;
    const auto client_closed = closed(client);
    ASSERT_EQ(client_closed.size(), 1u);
    EXPECT_EQ(client_closed[0].reason, DestroyReason::integrity);
    EXPECT_TRUE(client_closed[0].was_open);
  }
  std::uint64_t failures = 0;
  for (const auto* relay : relays) failures += net.relay(relay->id).stats().integrity_failures;
  EXPECT_EQ(failures, 40u);
  for (const auto* relay : relays) EXPECT_EQ(net.relay(relay->id).circuits().size(), 0u);
  EXPECT_EQ(net.relay(client).circuits().size(), 0u);
}

TEST_F(OnionRelayTest, AFlippedBitOnTheWayBackIsRejectedByTheClient) {
  SeededRandom random(7);
  for (int trial = 0; trial < 20; ++trial) {
    const CircuitHandle handle = build({0, 1, 2});
    const CircuitHandle exit_handle = events_of<IncomingCircuit>(net.events(relays[2]->id)).back().circuit;
    net.events(client).clear();
    const std::size_t bit = kCellHeaderBytes * 8 + random.uniform(kCellBodyBytes * 8);
    const NodeId target = trial % 3 == 0 ? client : relays[static_cast<std::size_t>(trial % 3 - 1)]->id;
    net.set_interceptor([&](TestNetwork::InFlight& flight) {
      auto cell = parse_cell(flight.cell);
      if (cell && cell->command == CellCommand::data_backward && flight.to == target)
        flight.cell[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      return true;
    });
    ASSERT_TRUE(net.relay(relays[2]->id).send_relay_message(test::at(0), exit_handle, Bytes(900, 9)).ok());
    net.run();
    net.set_interceptor(nullptr);
    EXPECT_TRUE(events_of<RelayMessageReceived>(net.events(client)).empty());
    const auto client_closed = closed(client);
    ASSERT_EQ(client_closed.size(), 1u) << "trial " << trial;
    EXPECT_EQ(client_closed[0].circuit, handle);
    EXPECT_EQ(client_closed[0].reason, DestroyReason::integrity);
  }
  for (const auto* relay : relays) EXPECT_EQ(net.relay(relay->id).circuits().size(), 0u);
}

TEST_F(OnionRelayTest, AFlippedBitInASetupCellFailsTheBuild) {
  SeededRandom random(8);
  for (int trial = 0; trial < 30; ++trial) {
    const int link = trial % 3;
    const NodeId target = relays[static_cast<std::size_t>(link)]->id;
    const std::size_t bit = kCellHeaderBytes * 8 + random.uniform(kSetupHeaderBytes * 8);
    net.set_interceptor([&](TestNetwork::InFlight& flight) {
      auto cell = parse_cell(flight.cell);
      if (cell && cell->command == CellCommand::setup && flight.to == target)
        flight.cell[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
      return true;
    });
    net.events(client).clear();
    build({0, 1, 2});
    net.set_interceptor(nullptr);
    EXPECT_TRUE(events_of<CircuitReady>(net.events(client)).empty());
    const auto client_closed = closed(client);
    ASSERT_EQ(client_closed.size(), 1u) << "trial " << trial << " bit " << bit;
    EXPECT_FALSE(client_closed[0].was_open);
    // A flipped key id names a key the relay does not hold; anything else fails the MAC.
    const bool key_id = bit / 8 - kCellHeaderBytes < kKeyIdBytes;
    EXPECT_EQ(client_closed[0].reason, key_id ? DestroyReason::unknown_key : DestroyReason::setup_rejected);
  }
  for (const auto* relay : relays) EXPECT_EQ(net.relay(relay->id).circuits().size(), 0u);
  EXPECT_EQ(net.relay(client).circuits().size(), 0u);
}

TEST_F(OnionRelayTest, AReplayedSetupIsRefusedAtEveryHop) {
  build({0, 1, 2});
  std::vector<TestNetwork::InFlight> setups;
  for (const auto& flight : net.log())
    if (parse_cell(flight.cell)->command == CellCommand::setup) setups.push_back(flight);
  ASSERT_EQ(setups.size(), 3u);
  // Each captured SETUP replayed by whoever sent it, under a fresh circuit id.
  for (std::size_t i = 0; i < setups.size(); ++i) {
    Bytes cell = setups[i].cell;
    cell[0] ^= 0x80;
    net.inject(setups[i].from, setups[i].to, cell);
    net.run();
    const auto& stats = net.relay(setups[i].to).stats();
    EXPECT_EQ(stats.setups_replayed, 1u) << "hop " << i;
    EXPECT_EQ(net.relay(setups[i].to).circuits().size(), 1u) << "hop " << i;
    const auto& last = net.log().back();
    EXPECT_EQ(last.to, setups[i].from);
    EXPECT_EQ(parse_cell(last.cell)->command, CellCommand::destroy_backward);
    EXPECT_EQ(*parse_destroy_body(parse_cell(last.cell)->body), DestroyReason::setup_rejected);
  }
  // The original circuit still works.
  ASSERT_TRUE(net.relay(client).send_relay_message(test::at(0), CircuitHandle{1}, Bytes{4, 2}).ok());
  net.run();
  EXPECT_EQ(events_of<RelayMessageReceived>(net.events(relays[2]->id)).size(), 1u);
}

TEST_F(OnionRelayTest, RetiringAKeyDropsItsReplayTagsAndRefusesItsSetups) {
  build({0, 1});
  const OnionKeyId key = relays[0]->key.id();
  EXPECT_EQ(net.relay(relays[0]->id).replay_tags(key), 1u);
  net.relay(relays[0]->id).retire_onion_key(key);
  EXPECT_EQ(net.relay(relays[0]->id).replay_tags(key), 0u);
  EXPECT_EQ(net.relay(relays[0]->id).onion_key_count(), 0u);
  net.events(client).clear();
  build({0, 1});
  const auto client_closed = closed(client);
  ASSERT_EQ(client_closed.size(), 1u);
  EXPECT_EQ(client_closed[0].reason, DestroyReason::unknown_key);
  EXPECT_EQ(net.relay(relays[0]->id).stats().setups_unknown_key, 1u);
  // Adding the same key twice is refused.
  EXPECT_TRUE(net.relay(relays[1]->id).add_onion_key(relays[1]->key).error().code == Errc::invalid_argument);
}

TEST_F(OnionRelayTest, ExpiredKeysAreForgottenOnTimeout) {
  OnionRelay& relay = net.relay(relays[0]->id);
  const TimeUs expiry = static_cast<TimeUs>(relays[0]->key.valid_until + TestNetwork::default_config().onion_key_grace) *
                            kSecond - test::kUnixOffsetUs;
  // A key just added: the relay asks for a timeout at once, to place its expiry on the
  // monotonic clock (keys carry Unix times).
  EXPECT_LE(relay.next_deadline(), 0);
  relay.on_timeout(test::at(0));
  EXPECT_EQ(relay.next_deadline(), expiry);
  relay.on_timeout(test::at(expiry - 1));
  EXPECT_EQ(relay.onion_key_count(), 1u);
  relay.on_timeout(test::at(expiry));
  EXPECT_EQ(relay.onion_key_count(), 0u);
  EXPECT_EQ(relay.next_deadline(), kNever);
}

TEST_F(OnionRelayTest, UnansweredSetupsTimeOutEverywhere) {
  // The last hop's reply is lost.
  net.set_interceptor([](TestNetwork::InFlight& flight) { return parse_cell(flight.cell)->command != CellCommand::setup_reply; });
  net.timeout(0);  // each relay places its key's expiry on the monotonic clock
  auto handle = net.relay(client).build_circuit(test::at(0), path({0, 1, 2}));
  ASSERT_TRUE(handle.ok());
  net.run();
  net.set_interceptor(nullptr);
  EXPECT_EQ(net.relay(client).next_deadline(), TestNetwork::default_config().setup_timeout);
  net.timeout(TestNetwork::default_config().setup_timeout - 1);
  EXPECT_TRUE(closed(client).empty());
  net.timeout(TestNetwork::default_config().setup_timeout);
  const auto client_closed = closed(client);
  ASSERT_EQ(client_closed.size(), 1u);
  EXPECT_EQ(client_closed[0].reason, DestroyReason::timeout);
  EXPECT_FALSE(client_closed[0].was_open);
  // The last hop (open on its side) hears the teardown; every table is empty.
  const auto exit_closed = closed(relays[2]->id);
  ASSERT_EQ(exit_closed.size(), 1u);
  EXPECT_EQ(exit_closed[0].reason, DestroyReason::timeout);
  for (const auto* relay : relays) EXPECT_EQ(net.relay(relay->id).circuits().size(), 0u);
}

TEST_F(OnionRelayTest, ALostLinkClosesTheCircuitsThroughIt) {
  const CircuitHandle a = build({0, 1, 2});
  const CircuitHandle b = build({3, 1});
  net.events(client).clear();
  // Relay 1 loses its link to relay 2: circuit a dies on both sides, b is untouched.
  net.relay(relays[1]->id).on_link_down(test::at(0), relays[2]->id);
  net.run();
  const auto client_closed = closed(client);
  ASSERT_EQ(client_closed.size(), 1u);
  EXPECT_EQ(client_closed[0].circuit, a);
  EXPECT_EQ(client_closed[0].reason, DestroyReason::link_down);
  EXPECT_NE(net.relay(client).circuit(b), nullptr);
  EXPECT_EQ(net.relay(relays[0]->id).circuits().size(), 0u);
  // The link between the client and relay 3 goes (both ends notice): circuit b is reported
  // closed at once, and relay 3 passes the DESTROY on.
  net.relay(client).on_link_down(test::at(0), relays[3]->id);
  net.relay(relays[3]->id).on_link_down(test::at(0), client);
  net.run();
  EXPECT_EQ(closed(client).size(), 2u);
  EXPECT_EQ(net.relay(client).circuits().size(), 0u);
  EXPECT_EQ(net.relay(relays[3]->id).circuits().size(), 0u);
  EXPECT_EQ(net.relay(relays[1]->id).circuits().size(), 0u);
  EXPECT_EQ(closed(relays[1]->id).back().reason, DestroyReason::link_down);
}

TEST_F(OnionRelayTest, ClosingACircuitFreesEveryHop) {
  const CircuitHandle handle = build({0, 1, 2});
  net.relay(client).close_circuit(test::at(0), handle);
  net.run();
  EXPECT_TRUE(closed(client).empty());  // we asked for it
  const auto exit_closed = closed(relays[2]->id);
  ASSERT_EQ(exit_closed.size(), 1u);
  EXPECT_EQ(exit_closed[0].reason, DestroyReason::requested);
  EXPECT_TRUE(exit_closed[0].was_open);
  for (const auto* relay : relays) EXPECT_EQ(net.relay(relay->id).circuits().size(), 0u);
  EXPECT_EQ(net.relay(client).circuits().size(), 0u);

  // The last hop may close too; the client hears it.
  const CircuitHandle second = build({1, 3});
  const CircuitHandle at_exit = events_of<IncomingCircuit>(net.events(relays[3]->id)).back().circuit;
  net.relay(relays[3]->id).close_circuit(test::at(0), at_exit);
  net.run();
  const auto client_closed = closed(client);
  ASSERT_EQ(client_closed.size(), 1u);
  EXPECT_EQ(client_closed[0].circuit, second);
  EXPECT_EQ(client_closed[0].reason, DestroyReason::requested);
}

TEST_F(OnionRelayTest, CircuitIdsAreScopedToTheirLink) {
  // A second client uses the very same circuit id towards relay 0: no confusion.
  const NodeId other = net.add_node().id;
  const CircuitHandle mine = build({0, 1});
  const Circuit* at_client = net.relay(client).circuit(mine);
  ASSERT_NE(at_client, nullptr);
  auto built = build_setup_header(path({0, 2}), *std::make_unique<SeededRandom>(9));
  ASSERT_TRUE(built.ok());
  Bytes cell(kSetupCellBytes);
  write_cell_header(cell, at_client->next_id, CellCommand::setup);
  std::copy(built->header.begin(), built->header.end(), cell.begin() + kCellHeaderBytes);
  net.inject(other, relays[0]->id, cell);
  net.run();
  EXPECT_EQ(net.relay(relays[0]->id).circuits().size(), 2u);
  ASSERT_TRUE(net.relay(client).send_relay_message(test::at(0), mine, Bytes{1}).ok());
  net.run();
  EXPECT_EQ(events_of<RelayMessageReceived>(net.events(relays[1]->id)).size(), 1u);
  EXPECT_TRUE(events_of<RelayMessageReceived>(net.events(relays[2]->id)).empty());
}

TEST_F(OnionRelayTest, MalformedAndUnexpectedCellsAreRefused) {
  OnionRelay& relay = net.relay(relays[0]->id);
  EXPECT_FALSE(relay.on_cell(test::at(0), client, Bytes(10)).ok());
  EXPECT_EQ(relay.stats().malformed_cells, 1u);
  // Cells for circuits nobody built are counted and ignored.
  EXPECT_TRUE(relay.on_cell(test::at(0), client, make_fixed_cell(5, CellCommand::data_forward)).ok());
  EXPECT_TRUE(relay.on_cell(test::at(0), client, make_destroy_cell(5, CellCommand::destroy_forward, DestroyReason::requested)).ok());
  EXPECT_EQ(relay.stats().unknown_circuit_cells, 2u);
  // A data cell backwards before the reply breaks the protocol: the circuit is torn down.
  net.set_interceptor([](TestNetwork::InFlight& flight) { return parse_cell(flight.cell)->command != CellCommand::setup_reply; });
  auto handle = net.relay(client).build_circuit(test::at(0), path({0, 1}));
  net.run();
  net.set_interceptor(nullptr);
  const Circuit* at_relay0 = circuit_at(0);
  ASSERT_NE(at_relay0, nullptr);
  net.inject(relays[1]->id, relays[0]->id, make_fixed_cell(at_relay0->next_id, CellCommand::data_backward));
  net.run();
  EXPECT_EQ(relay.stats().protocol_violations, 1u);
  const auto client_closed = closed(client);
  ASSERT_EQ(client_closed.size(), 1u);
  EXPECT_EQ(client_closed[0].circuit, *handle);
  EXPECT_EQ(client_closed[0].reason, DestroyReason::protocol);
}

TEST_F(OnionRelayTest, PeerCircuitLimitRefusesFurtherSetups) {
  OnionRelayConfig config = TestNetwork::default_config();
  config.limits.max_circuits_per_peer = 2;
  TestNetwork small(78, config);
  const NodeId c = small.add_node().id;
  const TestRelayKeys& r0 = small.add_node();
  const TestRelayKeys& r1 = small.add_node();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(small.relay(c).build_circuit(test::at(0), test::path_of({&r0, &r1})).ok());
  small.run();
  EXPECT_EQ(events_of<CircuitReady>(small.events(c)).size(), 2u);
  const auto refused = events_of<CircuitClosed>(small.events(c));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused[0].reason, DestroyReason::resource_limit);
  EXPECT_EQ(small.relay(r0.id).stats().setups_refused_limit, 1u);
}

}  // namespace
}  // namespace zmesh::onion
