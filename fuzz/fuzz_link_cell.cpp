// A LinkSession fed arbitrary cells: never crash, never deliver more than the limits allow,
// and stay failed once failed. The first input byte picks the mode:
//   even: the rest is one raw transport message (exercises the AEAD and size checks)
//   odd:  the rest is cut into 1008-byte cell plaintexts (the last zero-padded), each sealed
//         with the session's real receive key and fed as its own transport message, so the
//         fuzzer reaches the framing, reassembly, close and rekey logic behind the AEAD.
// Seeds (ZMESH_FUZZ_WRITE_SEEDS=DIR): plaintexts of a multi-cell message, padding, a key
// update and a close.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "crypto/secure.hpp"
#include "fuzz_check.hpp"
#include "identity/identity.hpp"
#include "link/session.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::link;

const NodeIdentity& peer_identity() {
  static const NodeIdentity identity = [] {
    SeededRandom random(7);
    return NodeIdentity::generate(random);
  }();
  return identity;
}

crypto::SecretBytes fixed_key(std::uint8_t fill) { return crypto::SecretBytes::copy_of(Bytes(32, fill)); }

std::unique_ptr<LinkSession> make_victim() {
  HandshakeOutcome outcome;
  outcome.send_key = fixed_key(0xaa);
  outcome.receive_key = fixed_key(0xbb);
  outcome.peer_id = peer_identity().id;
  outcome.peer_signing_key = peer_identity().signing.public_key;
  SessionConfig config;
  config.max_delivered_messages = 8;
  return std::make_unique<LinkSession>(std::move(outcome), config, 0);
}

void write_cell_seeds(const char* dir) {
  Bytes seed{1};
  const Bytes payload(kCellPayloadBytes, 0x42);
  auto add = [&](CellHeader header, ByteView body) { append(seed, encode_cell_plaintext(header, body)); };
  add({5, kCellFlagBegin, kCellPayloadBytes}, payload);
  add({kCellPadding, 0, 0}, {});
  add({5, kCellFlagEnd, 10}, ByteView(payload).first(10));
  add({7, kCellFlagBegin | kCellFlagEnd | kCellFlagKeyUpdate, 3}, ByteView(payload).first(3));
  const Bytes close_payload = {0, 'b', 'y', 'e'};
  add({kCellClose, kCellFlagBegin | kCellFlagEnd, 4}, close_payload);
  fuzz::write_seed(dir, "cells", seed);
  fuzz::write_seed(dir, "raw", Bytes(1 + kCellWireBytes, 0));
}

void drain(LinkSession& session) {
  std::size_t delivered = 0;
  while (auto message = session.poll_message()) {
    FUZZ_CHECK(message->payload.size() <= kMaxMessageBytes);
    FUZZ_CHECK(message->channel >= kFirstAppChannel);
    ++delivered;
  }
  FUZZ_CHECK(delivered <= 8);
  while (auto out = session.poll_transmit()) FUZZ_CHECK(!out->empty() && out->size() % kCellWireBytes == 0);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  crypto::init();
  fuzz::write_seeds_if_asked(write_cell_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  auto victim = make_victim();
  const ByteView rest(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    const Status status = victim->on_receive(0, rest);
    FUZZ_CHECK(status.ok() == (victim->state() != SessionState::failed));
    drain(*victim);
    return 0;
  }
  CellCipher sender(fixed_key(0xbb), kMaxCellsPerKey);
  for (std::size_t offset = 0; offset < rest.size(); offset += kCellPlaintextBytes) {
    CellPlaintext plaintext{};
    const std::size_t take = std::min(kCellPlaintextBytes, rest.size() - offset);
    std::memcpy(plaintext.data(), rest.data() + offset, take);
    const bool was_failed = victim->state() == SessionState::failed;
    const CellWire wire = sender.seal(plaintext);
    const Status status = victim->on_receive(static_cast<TimeUs>(offset), wire);
    if (was_failed) FUZZ_CHECK(!status.ok());
    FUZZ_CHECK(status.ok() == (victim->state() != SessionState::failed));
    // The forger must follow the KEY_UPDATE it sent to stay in step with the victim.
    if (status.ok() && (plaintext[1] & kCellFlagKeyUpdate) && victim->state() == SessionState::open) sender.rekey();
    drain(*victim);
  }
  return 0;
}
