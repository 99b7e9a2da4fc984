// NodeCore batches a link's output: the cells services send within one driver event leave as
// ceil(bytes / 64 KiB) SendBytes per connection, not one per message, in order, and the link's
// bounded queue and the transport's backpressure work as before. Two cores wired by hand so
// that every SendBytes can be counted.
#include <gtest/gtest.h>

#include "node/channels.hpp"
#include "node/mem_net.hpp"

namespace zmesh::node {
namespace {

constexpr ConnectionId kConnection = 1;  // the one connection, on both sides

class CountingService final : public Service {
 public:
  Channel channel() const override { return kChannelDht; }
  const char* name() const override { return "counting"; }
  void on_attach(ServiceHost& attached) override { host = &attached; }
  void on_message(Now, const NodeId&, ByteView message) override {
    messages.emplace_back(message.begin(), message.end());
  }
  void on_peer_writable(Now, const NodeId& peer) override { writable.push_back(peer); }

  ServiceHost* host = nullptr;
  std::vector<Bytes> messages;
  std::vector<NodeId> writable;
};

struct Side {
  explicit Side(std::size_t identity) : random(identity + 1), core(test::identity(identity), random, {}) {
    EXPECT_TRUE(core.add_service(service).ok());
  }
  SeededRandom random;
  CountingService service;
  NodeCore core;
};

// The SendBytes `from` has queued (other actions are dropped).
std::vector<Bytes> take_sends(NodeCore& from) {
  std::vector<Bytes> out;
  while (auto action = from.poll_action())
    if (auto* send = std::get_if<SendBytes>(&*action)) out.push_back(std::move(send->message));
  return out;
}

class Batching : public ::testing::Test {
 protected:
  void SetUp() override {
    a.core.on_start(now);
    b.core.on_start(now);
    a.core.on_transport_opened(now, kConnection, {Direction::outbound, "mem", "b", 0});
    b.core.on_transport_opened(now, kConnection, {Direction::inbound, "mem", "a", 0});
    for (int round = 0; round < 8 && !(a.core.is_up(b_id()) && b.core.is_up(a_id())); ++round) deliver_all();
    ASSERT_TRUE(a.core.is_up(b_id()) && b.core.is_up(a_id()));
    deliver_all();
  }
  const NodeId& a_id() const { return test::identity(0).id; }
  const NodeId& b_id() const { return test::identity(1).id; }
  void deliver(NodeCore& from, NodeCore& to) {
    for (const Bytes& message : take_sends(from)) to.on_transport_data(now, kConnection, message);
  }
  void deliver_all() {
    deliver(a.core, b.core);
    deliver(b.core, a.core);
  }
  static Bytes numbered(std::size_t i, std::size_t size) {
    Bytes out(size, static_cast<std::uint8_t>(i * 7));
    out[0] = static_cast<std::uint8_t>(i);
    out[1] = static_cast<std::uint8_t>(i >> 8);
    return out;
  }

  Now now{1 * kSecond, 1 * kSecond};
  Side a{0};
  Side b{1};
};

std::size_t batches_for(std::size_t cells) { return (cells + 63) / 64; }

TEST_F(Batching, SmallMessagesOfOneEventShareSendBytes) {
  constexpr std::size_t kMessages = 100;  // one cell each
  for (std::size_t i = 0; i < kMessages; ++i) ASSERT_TRUE(a.core.send(now, b_id(), kChannelDht, numbered(i, 100)).ok());
  const std::vector<Bytes> sends = take_sends(a.core);
  EXPECT_EQ(sends.size(), batches_for(kMessages)) << "one SendBytes per message is the bug this guards";
  std::size_t bytes = 0;
  for (const Bytes& s : sends) {
    EXPECT_LE(s.size(), 64u * 1024u);
    bytes += s.size();
  }
  EXPECT_EQ(bytes, kMessages * link::kCellWireBytes);
  for (const Bytes& message : sends) b.core.on_transport_data(now, kConnection, message);
  ASSERT_EQ(b.service.messages.size(), kMessages);
  for (std::size_t i = 0; i < kMessages; ++i) EXPECT_EQ(b.service.messages[i], numbered(i, 100)) << "in order";
  EXPECT_EQ(a.core.peer_stats(now)[0].cells_out, b.core.peer_stats(now)[0].cells_in);
}

TEST_F(Batching, LargeMessagesAreCappedAt64KiBPerSendBytes) {
  constexpr std::size_t kMessages = 3;
  constexpr std::size_t kSize = 60 * 1024;  // 62 cells each
  for (std::size_t i = 0; i < kMessages; ++i) ASSERT_TRUE(a.core.send(now, b_id(), kChannelDht, numbered(i, kSize)).ok());
  const std::vector<Bytes> sends = take_sends(a.core);
  const std::size_t cells = kMessages * ((kSize + link::kCellPayloadBytes - 1) / link::kCellPayloadBytes);
  EXPECT_EQ(sends.size(), batches_for(cells));
  for (const Bytes& s : sends) EXPECT_LE(s.size(), 64u * 1024u);
  for (const Bytes& message : sends) b.core.on_transport_data(now, kConnection, message);
  ASSERT_EQ(b.service.messages.size(), kMessages);
  for (std::size_t i = 0; i < kMessages; ++i) EXPECT_EQ(b.service.messages[i], numbered(i, kSize));
}

TEST_F(Batching, BlockedTransportKeepsTheQueueLimitAndWritableFlushesInBatches) {
  a.core.on_transport_blocked(kConnection);
  std::size_t accepted = 0;
  for (std::size_t i = 0; i < 2000; ++i) {
    const Status sent = a.core.send(now, b_id(), kChannelDht, numbered(i, 100));
    if (!sent.ok()) {
      EXPECT_EQ(sent.error().code, Errc::limit_exceeded);
      break;
    }
    ++accepted;
  }
  EXPECT_EQ(accepted, 1024u) << "the link's bounded queue (max_queued_cells) refuses beyond";
  EXPECT_TRUE(take_sends(a.core).empty()) << "nothing is written while the transport is blocked";
  EXPECT_TRUE(a.service.writable.empty());

  a.core.on_transport_writable(now, kConnection);
  const std::vector<Bytes> sends = take_sends(a.core);
  EXPECT_EQ(sends.size(), batches_for(accepted));
  ASSERT_EQ(a.service.writable.size(), 1u) << "services hear that they may send again";
  EXPECT_EQ(a.service.writable[0], b_id());
  for (const Bytes& message : sends) b.core.on_transport_data(now, kConnection, message);
  ASSERT_EQ(b.service.messages.size(), accepted);
  for (std::size_t i = 0; i < accepted; ++i) ASSERT_EQ(b.service.messages[i], numbered(i, 100));
  EXPECT_TRUE(a.core.send(now, b_id(), kChannelDht, numbered(0, 100)).ok()) << "room again";
}

TEST_F(Batching, CloseComesAfterTheBatchedCells) {
  for (std::size_t i = 0; i < 10; ++i) ASSERT_TRUE(a.core.send(now, b_id(), kChannelDht, numbered(i, 100)).ok());
  a.core.shutdown(now);
  std::vector<Action> actions;
  while (auto action = a.core.poll_action()) actions.push_back(std::move(*action));
  std::size_t sends = 0;
  bool closed = false;
  for (Action& action : actions) {
    if (auto* send = std::get_if<SendBytes>(&action)) {
      EXPECT_FALSE(closed) << "a SendBytes after CloseConnection would be lost";
      ++sends;
      b.core.on_transport_data(now, kConnection, send->message);
    }
    if (std::holds_alternative<CloseConnection>(action)) closed = true;
  }
  EXPECT_TRUE(closed);
  EXPECT_EQ(sends, 1u) << "ten messages and the close cell in one SendBytes";
  EXPECT_EQ(b.service.messages.size(), 10u);
}

}  // namespace
}  // namespace zmesh::node
