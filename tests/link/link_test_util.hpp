// Helpers shared by the link tests: identities, a handshake run in memory, and a pump that
// moves transport messages between two sessions or links.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "crypto/secure.hpp"
#include "identity/identity.hpp"
#include "link/handshake.hpp"
#include "link/link.hpp"
#include "link/session.hpp"
#include "runtime/random.hpp"

namespace zmesh::link::test {

inline const NodeIdentity& identity(int which) {
  // Generated once per process: ML-DSA key generation is the slow part of every test.
  static const std::vector<std::unique_ptr<NodeIdentity>> identities = [] {
    crypto::init();
    SeededRandom random(0x1d);
    std::vector<std::unique_ptr<NodeIdentity>> out;
    for (int i = 0; i < 4; ++i) out.push_back(std::make_unique<NodeIdentity>(NodeIdentity::generate(random)));
    return out;
  }();
  return *identities.at(which);
}

struct HandshakeRun {
  std::unique_ptr<SeededRandom> initiator_random;
  std::unique_ptr<SeededRandom> responder_random;
  std::unique_ptr<Handshake> initiator;
  std::unique_ptr<Handshake> responder;
  Bytes message1, message2, message3;
};

// Runs a full handshake between identity(0) (initiator) and identity(1) (responder), keeping
// every message; both randomness streams are seeded so the messages repeat exactly.
inline HandshakeRun run_handshake(std::uint64_t seed = 1, HandshakeConfig initiator_config = {},
                                  HandshakeConfig responder_config = {}) {
  HandshakeRun run;
  run.initiator_random = std::make_unique<SeededRandom>(seed);
  run.responder_random = std::make_unique<SeededRandom>(seed + 1000);
  run.initiator = std::make_unique<Handshake>(HandshakeRole::initiator, identity(0), *run.initiator_random,
                                              initiator_config, 0);
  run.responder = std::make_unique<Handshake>(HandshakeRole::responder, identity(1), *run.responder_random,
                                              responder_config, 0);
  run.message1 = *run.initiator->poll_transmit();
  EXPECT_TRUE(run.responder->on_receive(1, run.message1).ok());
  run.message2 = *run.responder->poll_transmit();
  EXPECT_TRUE(run.initiator->on_receive(2, run.message2).ok());
  run.message3 = *run.initiator->poll_transmit();
  EXPECT_TRUE(run.responder->on_receive(3, run.message3).ok());
  return run;
}

// Two sessions with the keys of a real handshake.
struct SessionPair {
  std::unique_ptr<LinkSession> a;  // initiator side
  std::unique_ptr<LinkSession> b;  // responder side
};

inline SessionPair make_sessions(SessionConfig config = {}, std::uint64_t seed = 1, TimeUs now = 0) {
  HandshakeRun run = run_handshake(seed);
  SessionPair pair;
  pair.a = std::make_unique<LinkSession>(run.initiator->take_outcome().value(), config, now);
  pair.b = std::make_unique<LinkSession>(run.responder->take_outcome().value(), config, now);
  return pair;
}

// Moves every pending transport message from `from` to `to`; false if `to` refused one.
template <class Endpoint>
bool pump(Endpoint& from, Endpoint& to, TimeUs now) {
  while (auto message = from.poll_transmit()) {
    if (!to.on_receive(now, *message).ok()) return false;
  }
  return true;
}

inline Bytes pattern_bytes(std::size_t n, std::uint8_t seed) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 31 + (i >> 8));
  return out;
}

}  // namespace zmesh::link::test
