// The link handshake fed arbitrary peer messages: never crash, and never complete unless the
// input is the genuine message from the (seeded, deterministic) peer. The first input byte
// picks the victim:
//   0: a responder receives the rest as message 1
//   1: a responder that received the genuine message 1 receives the rest as message 3
//   2: an initiator that sent message 1 receives the rest as message 2
// Seeds (ZMESH_FUZZ_WRITE_SEEDS=DIR): the three genuine messages with their selector byte.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "crypto/secure.hpp"
#include "fuzz_check.hpp"
#include "identity/identity.hpp"
#include "link/handshake.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::link;

constexpr std::uint64_t kInitiatorSeed = 1;
constexpr std::uint64_t kResponderSeed = 2;

struct Identities {
  NodeIdentity initiator;
  NodeIdentity responder;
};

const Identities& identities() {
  static const Identities ids = [] {
    SeededRandom random(7);
    NodeIdentity a = NodeIdentity::generate(random);
    NodeIdentity b = NodeIdentity::generate(random);
    return Identities{std::move(a), std::move(b)};
  }();
  return ids;
}

Bytes with_selector(std::uint8_t selector, const Bytes& message) {
  Bytes out{selector};
  append(out, message);
  return out;
}

void write_handshake_seeds(const char* dir) {
  SeededRandom ri(kInitiatorSeed), rr(kResponderSeed);
  Handshake initiator(HandshakeRole::initiator, identities().initiator, ri, {}, 0);
  Handshake responder(HandshakeRole::responder, identities().responder, rr, {}, 0);
  const Bytes m1 = *initiator.poll_transmit();
  if (!responder.on_receive(0, m1).ok()) std::abort();
  const Bytes m2 = *responder.poll_transmit();
  if (!initiator.on_receive(0, m2).ok()) std::abort();
  const Bytes m3 = *initiator.poll_transmit();
  fuzz::write_seed(dir, "message1", with_selector(0, m1));
  fuzz::write_seed(dir, "message3", with_selector(1, m3));
  fuzz::write_seed(dir, "message2", with_selector(2, m2));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  crypto::init();
  fuzz::write_seeds_if_asked(write_handshake_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView message(data + 1, size - 1);
  SeededRandom ri(kInitiatorSeed), rr(kResponderSeed);
  Handshake initiator(HandshakeRole::initiator, identities().initiator, ri, {}, 0);
  Handshake responder(HandshakeRole::responder, identities().responder, rr, {}, 0);
  const Bytes m1 = *initiator.poll_transmit();
  switch (data[0] % 3) {
    case 0: {
      const Status status = responder.on_receive(0, message);
      FUZZ_CHECK(status.ok() == (responder.status() == HandshakeStatus::in_progress));
      FUZZ_CHECK(status.ok() == responder.poll_transmit().has_value());
      FUZZ_CHECK(responder.status() != HandshakeStatus::complete);
      break;
    }
    case 1: {
      FUZZ_CHECK(responder.on_receive(0, m1).ok());
      (void)responder.poll_transmit();
      const Status status = responder.on_receive(1, message);
      FUZZ_CHECK(status.ok() == (responder.status() == HandshakeStatus::complete));
      if (status.ok()) {
        // Only the genuine initiator's message 3 can complete the handshake.
        auto outcome = responder.take_outcome();
        FUZZ_CHECK(outcome.ok() && outcome->peer_id == identities().initiator.id);
      }
      break;
    }
    default: {
      const Status status = initiator.on_receive(0, message);
      FUZZ_CHECK(status.ok() == (initiator.status() == HandshakeStatus::complete));
      FUZZ_CHECK(status.ok() == initiator.poll_transmit().has_value());
      if (status.ok()) {
        auto outcome = initiator.take_outcome();
        FUZZ_CHECK(outcome.ok() && outcome->peer_id == identities().responder.id);
      }
      break;
    }
  }
  return 0;
}
