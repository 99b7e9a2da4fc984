// DhtNode as a core: rejection of malformed and forged input (driven by hand), and lookups,
// put/get and joining on small simulated networks (src/sim through DhtSwarm).
#include <gtest/gtest.h>

#include <map>

#include "dht/dht_node.hpp"
#include "dht/distance.hpp"
#include "dht/sim_record_verifier.hpp"
#include "dht_scenario.hpp"
#include "dht_swarm.hpp"

namespace zmesh::dht {
namespace {

using testing::DhtSwarm;
using testing::Role;
using testing::SwarmConfig;

// These tests drive DhtNode alone, with the wall clock equal to driver time (Unix offset 0).
Now at(TimeUs t) { return Now{t, t}; }

// Handles are 1..n; every handle is authenticated as the id registered for it.
class MapBook final : public AddressBook {
 public:
  std::optional<PeerHandle> resolve(const Contact& c) override {
    for (const auto& [h, id] : ids) {
      if (id == c.id) return h;
    }
    return std::nullopt;
  }
  std::optional<NodeId> authenticated_id(PeerHandle p) const override {
    auto it = ids.find(p);
    if (it == ids.end()) return std::nullopt;
    return it->second;
  }
  std::map<PeerHandle, NodeId> ids;
};

struct Lone {
  Lone() {
    random.fill(self.id.bytes);
    self.address = "10.9.9.9";
    random.fill(peer.id.bytes);
    peer.address = "10.1.1.1";
    book.ids[1] = peer.id;
    node = std::make_unique<DhtNode>(self, DhtConfig{}, random, book, verifier);
    node->on_start(at(0));
  }
  Message request(MessageType type) {
    Message m;
    m.type = type;
    m.request_id = 77;
    m.sender = peer;
    return m;
  }
  SeededRandom random{11};
  Contact self, peer;
  MapBook book;
  SimRecordVerifier verifier{5};
  std::unique_ptr<DhtNode> node;
};

TEST(DhtNode, AnswersPingAndLearnsTheSender) {
  Lone t;
  t.node->on_receive(at(1), 1, encode_message(t.request(MessageType::ping)));
  auto out = t.node->poll_transmit();
  ASSERT_TRUE(out);
  EXPECT_EQ(out->to, 1u);
  auto pong = decode_message(out->payload);
  ASSERT_TRUE(pong.ok());
  EXPECT_EQ(pong->type, MessageType::pong);
  EXPECT_EQ(pong->request_id, 77u);
  EXPECT_EQ(pong->sender, t.self);
  EXPECT_TRUE(t.node->routing_table().contains(t.peer.id));
}

TEST(DhtNode, RejectsMalformedUnsolicitedAndForgedMessages) {
  Lone t;
  t.node->on_receive(at(1), 1, Bytes{1, 2, 3});
  EXPECT_EQ(t.node->stats().rejected_malformed, 1u);
  // A response to a request id we never used.
  t.node->on_receive(at(1), 1, encode_message(t.request(MessageType::pong)));
  EXPECT_EQ(t.node->stats().rejected_unsolicited, 1u);
  // A sender id other than the one the link authenticated for handle 1.
  Message liar = t.request(MessageType::ping);
  t.random.fill(liar.sender.id.bytes);
  t.node->on_receive(at(1), 1, encode_message(liar));
  // Our own id.
  Message mirror = t.request(MessageType::ping);
  mirror.sender = t.self;
  t.node->on_receive(at(1), 1, encode_message(mirror));
  EXPECT_EQ(t.node->stats().rejected_forged, 2u);
  EXPECT_FALSE(t.node->poll_transmit());
  EXPECT_EQ(t.node->routing_table().size(), 0u);
}

TEST(DhtNode, RefusesInvalidStoresAndAnswersFindValueWithValidOnes) {
  Lone t;
  const UnixSeconds now_s = 1'000;
  Record good;
  t.random.fill(good.key.bytes);
  good.publisher_key = Bytes(32, 1);
  good.expires_at = now_s + 600;
  good.value = {1, 2, 3};
  t.verifier.sign(good);
  Record bad = good;
  bad.value = {6, 6, 6};  // signature no longer matches
  Record expired = good;
  expired.expires_at = now_s - 1;
  t.verifier.sign(expired);
  const TimeUs now = TimeUs(now_s) * kSecond;  // unix offset 0
  for (const Record* r : {&bad, &expired, &good}) {
    Message m = t.request(MessageType::store);
    m.records.push_back(*r);
    t.node->on_receive(at(now), 1, encode_message(m));
    auto ack = decode_message(t.node->poll_transmit()->payload);
    ASSERT_TRUE(ack.ok());
    EXPECT_EQ(ack->stored, r == &good);
  }
  EXPECT_EQ(t.node->stats().stores_refused, 2u);
  EXPECT_EQ(t.node->record_store().size(), 1u);
  Message find = t.request(MessageType::find_value);
  find.target = good.key;
  t.node->on_receive(at(now), 1, encode_message(find));
  auto value = decode_message(t.node->poll_transmit()->payload);
  ASSERT_TRUE(value.ok());
  ASSERT_EQ(value->records.size(), 1u);
  EXPECT_EQ(value->records.front(), good);
}

TEST(DhtNode, RequestsTimeOutAndLookupsFinishWithoutAnswers) {
  Lone t;
  std::optional<LookupResult> got;
  NodeId target;
  t.random.fill(target.bytes);
  ASSERT_TRUE(t.node->join(at(0), {t.peer}, std::nullopt, [&](Now, const LookupResult& r) { got = r; }).ok());
  auto sent = t.node->poll_transmit();
  ASSERT_TRUE(sent);
  EXPECT_EQ(decode_message(sent->payload)->type, MessageType::find_node);
  EXPECT_EQ(t.node->next_deadline(), DhtConfig{}.request_timeout);
  t.node->on_timeout(at(t.node->next_deadline()));
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->closest.empty());
  EXPECT_EQ(got->failures, 1u);
  EXPECT_EQ(t.node->stats().timeouts, 1u);
  EXPECT_EQ(t.node->pending_requests(), 0u);
}

// Injected answers: a response to our request id from another peer (or claiming to be the
// peer we asked while arriving on another handle), an oversized one, and one of the wrong
// type must not complete the request, touch the table or count; the real answer still does.
TEST(DhtNode, InjectedAndOversizedResponsesDoNotCompleteARequest) {
  Lone t;
  Contact other;
  t.random.fill(other.id.bytes);
  other.address = "10.2.2.2";
  t.book.ids[2] = other.id;
  std::optional<LookupResult> got;
  ASSERT_TRUE(t.node->join(at(0), {t.peer}, std::nullopt, [&](Now, const LookupResult& r) { got = r; }).ok());
  const auto sent = decode_message(t.node->poll_transmit()->payload);
  ASSERT_TRUE(sent.ok());
  auto answer = [&](const Contact& sender) {
    Message m;
    m.type = MessageType::nodes;
    m.request_id = sent->request_id;
    m.sender = sender;
    m.contacts = {other};
    return m;
  };
  t.node->on_receive(at(1), 2, encode_message(answer(other)));   // another peer, our request id
  t.node->on_receive(at(1), 2, encode_message(answer(t.peer)));  // claims the peer, wrong handle
  EXPECT_EQ(t.node->stats().rejected_forged, 2u);
  Bytes oversized = encode_message(answer(t.peer));
  append(oversized, Bytes(kMaxMessageBytes, 0));
  t.node->on_receive(at(1), 1, oversized);
  EXPECT_EQ(t.node->stats().rejected_malformed, 1u);
  EXPECT_FALSE(got);
  EXPECT_EQ(t.node->pending_requests(), 1u);
  EXPECT_EQ(t.node->routing_table().size(), 0u);
  Message real = answer(t.peer);
  real.contacts.clear();
  t.node->on_receive(at(2), 1, encode_message(real));
  ASSERT_TRUE(got);
  ASSERT_EQ(got->closest.size(), 1u);
  EXPECT_EQ(got->closest.front().id, t.peer.id);
  EXPECT_EQ(got->responses, 1u);
  EXPECT_TRUE(t.node->routing_table().contains(t.peer.id));
  EXPECT_FALSE(t.node->routing_table().contains(other.id));  // its forged answers did not count
}

// Routing-table poisoning through lookups: a lookup that meets a colluding cluster hears
// from every member, but only max_added_per_lookup of them may take free slots in a bucket.
TEST(DhtNode, OneLookupAddsAtMostTwoContactsToABucket) {
  Lone t;
  // t.peer is known; it answers a lookup with 20 contacts all in our (empty) bucket 0.
  t.node->on_receive(at(0), 1, encode_message(t.request(MessageType::ping)));
  (void)t.node->poll_transmit();
  std::vector<Contact> cluster;
  for (int i = 0; i < 20; ++i) {
    Contact c{random_id_in_bucket(t.self.id, 0, t.random), "10.7." + std::to_string(i) + ".1"};
    t.book.ids[PeerHandle(100 + i)] = c.id;
    cluster.push_back(c);
  }
  NodeId target = random_id_in_bucket(t.self.id, 0, t.random);
  ASSERT_TRUE(t.node->lookup(at(1), target).ok());
  for (TimeUs now = 2; auto out = t.node->poll_transmit(); ++now) {
    auto request = decode_message(out->payload);
    ASSERT_TRUE(request.ok());
    ASSERT_EQ(request->type, MessageType::find_node);
    Message reply;
    reply.type = MessageType::nodes;
    reply.request_id = request->request_id;
    reply.sender = out->to == 1 ? t.peer : cluster[out->to - 100];
    if (out->to == 1) reply.contacts = cluster;
    t.node->on_receive(at(now), out->to, encode_message(reply));
  }
  auto result = t.node->poll_result();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->responses, 21u);  // every cluster member answered
  std::size_t in_table = 0;
  for (const auto& c : cluster) in_table += t.node->routing_table().contains(c.id);
  EXPECT_EQ(in_table, 2u);
  EXPECT_EQ(t.node->routing_table().replacement_count(), 10u);  // the rest wait (cache of 10)
}

SwarmConfig small_swarm(std::uint64_t seed) {
  SwarmConfig c;
  c.seed = seed;
  c.link.latency = 10 * kMillisecond;
  c.link.jitter = 20 * kMillisecond;
  c.dht.request_timeout = 1 * kSecond;
  return c;
}

TEST(DhtNode, LookupsConvergeOnASmallNetwork) {
  DhtSwarm swarm(small_swarm(3));
  for (int i = 0; i < 200; ++i) {
    swarm.add(Role::honest);
    swarm.sim().run_for(50 * kMillisecond);
  }
  swarm.sim().run_for(10 * kSecond);
  for (sim::NodeIndex n = 0; n < 200; ++n) ASSERT_TRUE(swarm.joined(n)) << n;
  SeededRandom random(9);
  int found = 0, asked = 0;
  std::size_t max_hops = 0;
  for (int i = 0; i < 100; ++i) {
    const auto from = swarm.random_honest(random), target = swarm.random_honest(random);
    if (from == target) continue;
    ++asked;
    swarm.command_at(swarm.sim().now() + i * kMillisecond, from, [&, target](DhtNode& node, Now now) {
      (void)node.lookup(now, swarm.id(target), [&, target](Now, const LookupResult& r) {
        if (r.target_responded && !r.closest.empty() && r.closest.front().id == swarm.id(target)) ++found;
        max_hops = std::max(max_hops, r.target_hops);
      });
    });
  }
  swarm.sim().run_for(30 * kSecond);
  EXPECT_EQ(found, asked);
  EXPECT_LE(max_hops, 4u);  // log2(200/20) + 1
  EXPECT_GT(swarm.node(0)->routing_table().size(), 20u);
}

TEST(DhtNode, PutThenGetFromElsewhereAndRepublishAfterHoldersCrash) {
  SwarmConfig config = small_swarm(4);
  config.dht.republish_interval = 120 * kSecond;
  config.dht.maintenance_interval = 10 * kSecond;
  DhtSwarm swarm(config);
  for (int i = 0; i < 120; ++i) {
    swarm.add(Role::honest);
    swarm.sim().run_for(50 * kMillisecond);
  }
  swarm.sim().run_for(10 * kSecond);
  SeededRandom random(1);
  const auto publisher = swarm.random_honest(random);
  Record r = swarm.record_of(publisher);
  r.key.bytes[0] ^= 0x55;  // a key other than its own id
  r.sequence = 2;
  swarm.verifier().sign(r);
  std::size_t stored_at = 0;
  swarm.command_at(swarm.sim().now(), publisher, [&](DhtNode& node, Now now) {
    ASSERT_TRUE(node.put(now, r, [&](Now, const LookupResult& res) { stored_at = res.stored_at; }).ok());
  });
  swarm.sim().run_for(10 * kSecond);
  EXPECT_EQ(stored_at, 20u);

  // Crash every node holding it except the publisher; republishing must restore it.
  std::size_t crashed = 0;
  for (sim::NodeIndex n = 0; n < swarm.size(); ++n) {
    if (n != publisher && swarm.node(n) && !swarm.node(n)->record_store().get(r.key, 1'700'000'100).empty()) {
      swarm.crash(n);
      ++crashed;
    }
  }
  EXPECT_EQ(crashed, 20u);
  swarm.sim().run_for(200 * kSecond);
  bool got = false;
  sim::NodeIndex reader = swarm.random_honest(random);
  while (reader == publisher) reader = swarm.random_honest(random);
  swarm.command_at(swarm.sim().now(), reader, [&](DhtNode& node, Now now) {
    (void)node.get(now, r.key, [&](Now, const LookupResult& res) { got = !res.records.empty() && res.records.front() == r; });
  });
  swarm.sim().run_for(20 * kSecond);
  EXPECT_TRUE(got);
}

TEST(DhtNode, SameSeedSameRun) {
  auto run = [] {
    auto c = testing::default_scenario(150, 77);
    c.lookups = 40;
    c.gets = 10;
    c.churn_fraction = 0.2;
    c.window = 60 * kSecond;
    auto r = testing::run_scenario(c);
    return std::make_tuple(r.lookups_ok, r.gets_ok, r.sim_messages, r.virtual_end);
  };
  EXPECT_EQ(run(), run());
}

}  // namespace
}  // namespace zmesh::dht
