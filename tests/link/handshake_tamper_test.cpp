// Every byte of every handshake message, flipped one at a time, must make the handshake fail
// cleanly (an error value, never a crash and never a completed handshake).
#include <gtest/gtest.h>

#include "link/handshake.hpp"
#include "link_test_util.hpp"

namespace zmesh::link {
namespace {

using test::identity;

constexpr std::uint64_t kInitiatorSeed = 1;
#ifdef __EMSCRIPTEN__
constexpr std::size_t kStride = 13;  // under wasm every 13th byte (plus the headers) keeps the run short
#else
constexpr std::size_t kStride = 1;
#endif

std::size_t next_index(std::size_t i) { return i < 8 ? i + 1 : i + kStride; }
constexpr std::uint64_t kResponderSeed = 1001;

Bytes flipped(const Bytes& message, std::size_t index) {
  Bytes out = message;
  out[index] ^= static_cast<std::uint8_t>(1u << (index % 8));
  return out;
}

// An initiator that has sent message 1 (same seed -> same ephemeral key every time).
std::unique_ptr<Handshake> fresh_initiator(SeededRandom& random) {
  auto initiator = std::make_unique<Handshake>(HandshakeRole::initiator, identity(0), random, HandshakeConfig{}, 0);
  (void)initiator->poll_transmit();
  return initiator;
}

TEST(LinkHandshakeTamper, EveryByteOfMessage1) {
  const auto run = test::run_handshake(kInitiatorSeed);
  for (std::size_t i = 0; i < run.message1.size(); i = next_index(i)) {
    SeededRandom rr(kResponderSeed);
    Handshake responder(HandshakeRole::responder, identity(1), rr, {}, 0);
    if (!responder.on_receive(0, flipped(run.message1, i)).ok()) continue;  // refused at once: fine
    // Accepted (a different but valid ephemeral key): the real initiator's transcript differs,
    // so message 2 must not authenticate.
    SeededRandom ri(kInitiatorSeed);
    auto initiator = fresh_initiator(ri);
    ASSERT_FALSE(initiator->on_receive(0, *responder.poll_transmit()).ok()) << "byte " << i;
    ASSERT_EQ(initiator->status(), HandshakeStatus::failed);
  }
}

TEST(LinkHandshakeTamper, EveryByteOfMessage2) {
  const auto run = test::run_handshake(kInitiatorSeed);
  for (std::size_t i = 0; i < run.message2.size(); i = next_index(i)) {
    SeededRandom ri(kInitiatorSeed);
    auto initiator = fresh_initiator(ri);
    ASSERT_FALSE(initiator->on_receive(0, flipped(run.message2, i)).ok()) << "byte " << i;
    ASSERT_EQ(initiator->status(), HandshakeStatus::failed);
    ASSERT_FALSE(initiator->poll_transmit().has_value()) << "identity revealed after a tampered message 2";
  }
}

TEST(LinkHandshakeTamper, EveryByteOfMessage3) {
  const auto run = test::run_handshake(kInitiatorSeed);
  for (std::size_t i = 0; i < run.message3.size(); i = next_index(i)) {
    SeededRandom rr(kResponderSeed);
    Handshake responder(HandshakeRole::responder, identity(1), rr, {}, 0);
    ASSERT_TRUE(responder.on_receive(0, run.message1).ok());
    ASSERT_FALSE(responder.on_receive(0, flipped(run.message3, i)).ok()) << "byte " << i;
    ASSERT_EQ(responder.status(), HandshakeStatus::failed);
    ASSERT_FALSE(responder.take_outcome().ok());
  }
}

}  // namespace
}  // namespace zmesh::link
