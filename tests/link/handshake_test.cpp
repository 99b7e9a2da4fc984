#include <gtest/gtest.h>

#include "link/handshake.hpp"
#include "link/handshake_messages.hpp"
#include "link_test_util.hpp"

namespace zmesh::link {
namespace {

using test::identity;
using test::run_handshake;

bool has(const std::optional<Error>& error, Errc code, std::string_view text = {}) {
  return error && error->code == code && error->message.find(text) != std::string::npos;
}

TEST(LinkHandshake, CompletesWithMatchingKeysAndIdentities) {
  auto run = run_handshake();
  ASSERT_EQ(run.initiator->status(), HandshakeStatus::complete);
  ASSERT_EQ(run.responder->status(), HandshakeStatus::complete);
  EXPECT_EQ(run.message1.size(), kMessage1Bytes);
  EXPECT_EQ(run.message2.size(), kMessage2Bytes);
  EXPECT_EQ(run.message3.size(), kMessage3Bytes);
  auto i = run.initiator->take_outcome();
  auto r = run.responder->take_outcome();
  ASSERT_TRUE(i.ok());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(i->session_id, r->session_id);
  EXPECT_TRUE(crypto::constant_time_equal(i->send_key.view(), r->receive_key.view()));
  EXPECT_TRUE(crypto::constant_time_equal(i->receive_key.view(), r->send_key.view()));
  EXPECT_FALSE(crypto::constant_time_equal(i->send_key.view(), i->receive_key.view()));
  EXPECT_EQ(i->peer_id, identity(1).id);
  EXPECT_EQ(r->peer_id, identity(0).id);
  EXPECT_EQ(i->peer_signing_key, identity(1).signing.public_key);
  EXPECT_EQ(r->peer_signing_key, identity(0).signing.public_key);
  EXPECT_FALSE(run.initiator->take_outcome().ok()) << "the outcome is handed out once";
  EXPECT_EQ(run.initiator->next_deadline(), kNever);
}

TEST(LinkHandshake, SeededRunsRepeatAndDifferentSeedsDiffer) {
  auto a = run_handshake(7);
  auto b = run_handshake(7);
  auto c = run_handshake(8);
  EXPECT_EQ(a.message2, b.message2);
  EXPECT_EQ(a.initiator->take_outcome()->session_id, b.initiator->take_outcome()->session_id);
  EXPECT_NE(a.message1, c.message1);
  EXPECT_NE(a.responder->take_outcome()->session_id, c.responder->take_outcome()->session_id);
}

TEST(LinkHandshake, IdentitiesNeverAppearInTheClear) {
  auto run = run_handshake();
  const Bytes initiator_key = identity(0).signing.public_key.encode();
  const Bytes responder_key = identity(1).signing.public_key.encode();
  // A passive observer sees only messages 1-3: neither public key (nor a 32-byte slice of it,
  // nor the NodeId) occurs in them.
  for (const Bytes* message : {&run.message1, &run.message2, &run.message3}) {
    for (const Bytes* key : {&initiator_key, &responder_key}) {
      auto it = std::search(message->begin(), message->end(), key->begin(), key->begin() + 32);
      EXPECT_EQ(it, message->end());
    }
    for (int who : {0, 1}) {
      const auto& id = identity(who).id.bytes;
      EXPECT_EQ(std::search(message->begin(), message->end(), id.begin(), id.end()), message->end());
    }
  }
}

TEST(LinkHandshake, ExpectedPeerMatchesOrFailsWithWrongIdentityBeforeRevealingOurs) {
  HandshakeConfig right;
  right.expected_peer = identity(1).id;
  EXPECT_EQ(run_handshake(1, right).initiator->status(), HandshakeStatus::complete);

  HandshakeConfig wrong;
  wrong.expected_peer = identity(2).id;
  SeededRandom ri(3), rr(4);
  Handshake initiator(HandshakeRole::initiator, identity(0), ri, wrong, 0);
  Handshake responder(HandshakeRole::responder, identity(1), rr, {}, 0);
  ASSERT_TRUE(responder.on_receive(0, *initiator.poll_transmit()).ok());
  auto status = initiator.on_receive(0, *responder.poll_transmit());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::verify_failed);
  EXPECT_NE(status.error().message.find("wrong identity"), std::string::npos);
  EXPECT_EQ(initiator.status(), HandshakeStatus::failed);
  EXPECT_FALSE(initiator.poll_transmit().has_value()) << "message 3 (our identity) must not be sent";
}

TEST(LinkHandshake, UnknownVersionIsRefusedByBothSides) {
  auto run = run_handshake();
  for (std::uint8_t version : {0, 2, 255}) {
    Bytes m1 = run.message1;
    m1[0] = version;
    SeededRandom rr(9);
    Handshake responder(HandshakeRole::responder, identity(1), rr, {}, 0);
    auto status = responder.on_receive(0, m1);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code, Errc::protocol_violation);
    EXPECT_NE(status.error().message.find("unsupported link version"), std::string::npos);
    EXPECT_FALSE(responder.poll_transmit().has_value());
  }
  SeededRandom ri(1);
  Handshake initiator(HandshakeRole::initiator, identity(0), ri, {}, 0);
  (void)initiator.poll_transmit();
  Bytes m2 = run.message2;
  m2[0] = 2;
  EXPECT_FALSE(initiator.on_receive(0, m2).ok());
  EXPECT_TRUE(has(initiator.error(), Errc::protocol_violation, "unsupported link version"));
}

TEST(LinkHandshake, TruncatedAndOversizedMessagesFailCleanly) {
  auto run = run_handshake();
  for (const Bytes* message : {&run.message1, &run.message2, &run.message3}) {
    for (std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{2}, message->size() / 2, message->size() - 1,
                               message->size() + 1}) {
      Bytes cut = *message;
      cut.resize(length);
      SeededRandom ri(1), rr(1001);
      Handshake initiator(HandshakeRole::initiator, identity(0), ri, {}, 0);
      Handshake responder(HandshakeRole::responder, identity(1), rr, {}, 0);
      (void)initiator.poll_transmit();
      Status status;
      if (message == &run.message1) {
        status = responder.on_receive(0, cut);
      } else if (message == &run.message2) {
        status = initiator.on_receive(0, cut);
      } else {
        ASSERT_TRUE(responder.on_receive(0, run.message1).ok());
        status = responder.on_receive(0, cut);
      }
      EXPECT_FALSE(status.ok()) << "length " << length;
    }
  }
}

TEST(LinkHandshake, ReplayedMessage1GivesAttackerNoSessionAndOldMessage3IsRefused) {
  auto original = run_handshake(11);
  ASSERT_EQ(original.responder->status(), HandshakeStatus::complete);
  // The attacker replays message 1 to a fresh responder: it answers with a new encapsulation
  // (fresh randomness), so the recorded message 3 no longer decrypts.
  SeededRandom fresh(77);
  Handshake victim(HandshakeRole::responder, identity(1), fresh, {}, 100);
  ASSERT_TRUE(victim.on_receive(100, original.message1).ok());
  const Bytes new_message2 = *victim.poll_transmit();
  EXPECT_NE(new_message2, original.message2);
  auto status = victim.on_receive(101, original.message3);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::verify_failed);
  EXPECT_EQ(victim.status(), HandshakeStatus::failed);
  EXPECT_FALSE(victim.take_outcome().ok());
  // And a completed responder refuses any further handshake message (single use).
  EXPECT_FALSE(original.responder->on_receive(5, original.message3).ok());
  EXPECT_FALSE(original.responder->on_receive(5, original.message1).ok());
}

TEST(LinkHandshake, SecondMessage1ToTheSameResponderFailsIt) {
  SeededRandom ri(1), rr(2);
  Handshake initiator(HandshakeRole::initiator, identity(0), ri, {}, 0);
  Handshake responder(HandshakeRole::responder, identity(1), rr, {}, 0);
  const Bytes m1 = *initiator.poll_transmit();
  ASSERT_TRUE(responder.on_receive(0, m1).ok());
  EXPECT_FALSE(responder.on_receive(0, m1).ok());
  EXPECT_EQ(responder.status(), HandshakeStatus::failed);
}

TEST(LinkHandshake, PrologueMismatchFails) {
  HandshakeConfig net_a, net_b;
  net_a.prologue = "zmesh-testnet-a";
  net_b.prologue = "zmesh-testnet-b";
  SeededRandom ri(1), rr(2);
  Handshake initiator(HandshakeRole::initiator, identity(0), ri, net_a, 0);
  Handshake responder(HandshakeRole::responder, identity(1), rr, net_b, 0);
  ASSERT_TRUE(responder.on_receive(0, *initiator.poll_transmit()).ok());
  auto status = initiator.on_receive(0, *responder.poll_transmit());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::verify_failed);
}

TEST(LinkHandshake, ReflectedHandshakeWithOurOwnIdentityFails) {
  SeededRandom ri(1), rr(2);
  Handshake initiator(HandshakeRole::initiator, identity(0), ri, {}, 0);
  Handshake mirror(HandshakeRole::responder, identity(0), rr, {}, 0);
  ASSERT_TRUE(mirror.on_receive(0, *initiator.poll_transmit()).ok());
  auto status = initiator.on_receive(0, *mirror.poll_transmit());
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message.find("own identity"), std::string::npos);
}

TEST(LinkHandshake, TimesOutAtTheDeadline) {
  SeededRandom ri(1), rr(2);
  HandshakeConfig config;
  config.timeout = 10 * kSecond;
  const TimeUs start = 5 * kSecond;
  Handshake initiator(HandshakeRole::initiator, identity(0), ri, config, start);
  Handshake responder(HandshakeRole::responder, identity(1), rr, config, start);
  EXPECT_EQ(initiator.next_deadline(), start + 10 * kSecond);
  initiator.on_timeout(start + 10 * kSecond - 1);
  EXPECT_EQ(initiator.status(), HandshakeStatus::in_progress);
  initiator.on_timeout(start + 10 * kSecond);
  EXPECT_EQ(initiator.status(), HandshakeStatus::failed);
  EXPECT_TRUE(has(initiator.error(), Errc::timeout));
  // A message arriving after the deadline (timer not yet fired) fails too.
  SeededRandom ri2(1);
  Handshake late(HandshakeRole::initiator, identity(0), ri2, config, start);
  ASSERT_TRUE(responder.on_receive(start, *late.poll_transmit()).ok());
  auto status = late.on_receive(start + 11 * kSecond, *responder.poll_transmit());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, Errc::timeout);
}

}  // namespace
}  // namespace zmesh::link
