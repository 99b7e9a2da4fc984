// The link handshake: a sans-IO state machine for a three-message, mutually authenticated,
// hybrid post-quantum key exchange shaped like Noise XX with KEMs (PQNoise, Angel et al.,
// ACM CCS 2022: "-> e / <- ekem, s / -> s"), where the static parts are hybrid *signatures*
// over the transcript (SIGMA-I, Krawczyk 2003; like TLS 1.3 CertificateVerify) because a
// zMesh identity is a signing key.
//
//   -> msg1: version, type, e_I                         (X-Wing ephemeral public key)
//   <- msg2: version, type, ct = Encap(e_I), AEAD(k, spk_R || Sign_R(h))
//   -> msg3: version, type, AEAD(k, spk_I || Sign_I(h))
//
// Exact byte layouts and the key schedule: docs/protocol/link.md.
#pragma once

#include <optional>
#include <string>

#include "crypto/hybrid_kem.hpp"
#include "crypto/hybrid_sig.hpp"
#include "identity/identity.hpp"
#include "link/handshake_messages.hpp"
#include "link/transcript.hpp"
#include "runtime/random.hpp"
#include "runtime/time.hpp"
#include "util/result.hpp"

namespace zmesh::link {

inline constexpr DurationUs kDefaultHandshakeTimeout = 10 * kSecond;
inline constexpr std::size_t kMaxPrologueBytes = 1024;

struct HandshakeConfig {
  // Network id / prologue mixed into the transcript: peers with different prologues never
  // complete a handshake (Noise spec §6). At most kMaxPrologueBytes.
  std::string prologue = "zmesh";
  DurationUs timeout = kDefaultHandshakeTimeout;
  // Initiator only: the NodeId we dialled. A responder proving another identity fails the
  // handshake with verify_failed "wrong identity" before we reveal our own identity.
  std::optional<NodeId> expected_peer;
};

enum class HandshakeRole { initiator, responder };
enum class HandshakeStatus { in_progress, complete, failed };

// What a completed handshake hands to the session layer.
struct HandshakeOutcome {
  HandshakeRole role = HandshakeRole::initiator;
  crypto::SecretBytes send_key;     // 32 bytes, our direction
  crypto::SecretBytes receive_key;  // 32 bytes, the peer's direction
  crypto::Hash256 session_id{};     // final transcript hash, equal on both sides
  NodeId peer_id;
  crypto::HybridSigPublicKey peer_signing_key;
};

class Handshake {
 public:
  // `self` and `random` must outlive the handshake. An initiator queues message 1 at once.
  Handshake(HandshakeRole role, const NodeIdentity& self, RandomSource& random, HandshakeConfig config, TimeUs now);

  // One whole transport message from the peer. An error fails the handshake for good
  // (status() == failed); nothing a peer sends can make it crash or continue.
  Status on_receive(TimeUs now, ByteView message);
  // Fails the handshake with Errc::timeout once now >= next_deadline().
  void on_timeout(TimeUs now);
  TimeUs next_deadline() const;
  // The next handshake message to send (whole transport message), if any.
  std::optional<Bytes> poll_transmit();

  HandshakeRole role() const { return role_; }
  HandshakeStatus status() const { return status_; }
  // Set once status() == failed.
  const std::optional<Error>& error() const { return error_; }
  // Once complete: the keys and the peer (can be taken once; later calls fail).
  Result<HandshakeOutcome> take_outcome();

 private:
  enum class Step { await_message1, await_message2, await_message3, finished };

  Status handle_message1(ByteView message);
  Status handle_message2(ByteView message);
  Status handle_message3(ByteView message);
  // Signs the current transcript hash and seals (signing key || signature) under it.
  Bytes seal_own_identity(std::string_view context);
  // Opens a sealed identity, verifies its signature over the transcript hash it was sealed
  // under and mixes it into the transcript.
  Result<IdentityPayload> open_peer_identity(ByteView sealed, std::string_view context, Bytes& plaintext_storage);
  void complete(const crypto::HybridSigPublicKey& peer_key);
  Status fail(Error error);

  HandshakeRole role_;
  const NodeIdentity& self_;
  RandomSource& random_;
  HandshakeConfig config_;
  TimeUs deadline_;
  Step step_;
  HandshakeStatus status_ = HandshakeStatus::in_progress;
  std::optional<Error> error_;
  Transcript transcript_;
  std::optional<crypto::HybridKemKeyPair> ephemeral_;  // initiator, until message 2
  std::optional<Bytes> outgoing_;
  std::optional<HandshakeOutcome> outcome_;
};

}  // namespace zmesh::link
