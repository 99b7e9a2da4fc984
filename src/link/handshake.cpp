#include "link/handshake.hpp"

#include "wire/writer.hpp"

namespace zmesh::link {
namespace {

// Noise-style protocol name (Noise spec §8): initialises h and ck, so a change of any
// primitive changes every key.
constexpr std::string_view kProtocolName = "zMesh_link_v1_XWing768_Ed25519+MLDSA65_ChaChaPoly_BLAKE2b";
// hybrid_sign contexts: distinct per role so a responder signature can never be replayed as
// an initiator signature (reflection).
constexpr std::string_view kResponderSignContext = "zmesh/link/v1/responder-auth";
constexpr std::string_view kInitiatorSignContext = "zmesh/link/v1/initiator-auth";

Transcript start_transcript(const std::string& prologue) {
  Transcript transcript(kProtocolName);
  // Length-prefixed so that prologue and message 1 can never be confused.
  wire::Writer writer(prologue.size() + 2);
  writer.string_u16(prologue);
  transcript.mix_hash(writer.view());
  return transcript;
}

}  // namespace

Handshake::Handshake(HandshakeRole role, const NodeIdentity& self, RandomSource& random, HandshakeConfig config,
                     TimeUs now)
    : role_(role),
      self_(self),
      random_(random),
      config_(std::move(config)),
      deadline_(now > kNever - config_.timeout ? kNever : now + config_.timeout),
      step_(role == HandshakeRole::initiator ? Step::await_message2 : Step::await_message1),
      transcript_(start_transcript(config_.prologue.size() <= kMaxPrologueBytes ? config_.prologue : std::string())) {
  if (config_.prologue.size() > kMaxPrologueBytes) {
    (void)fail(make_error(Errc::invalid_argument, "link prologue longer than 1024 bytes"));
    return;
  }
  if (role_ == HandshakeRole::initiator) {
    ephemeral_ = crypto::hybrid_kem_generate(random_);
    Bytes message1 = encode_message1(ephemeral_->public_key);
    transcript_.mix_hash(message1);
    outgoing_ = std::move(message1);
  }
}

Status Handshake::on_receive(TimeUs now, ByteView message) {
  if (status_ == HandshakeStatus::failed) return *error_;
  if (status_ == HandshakeStatus::complete)
    return make_error(Errc::protocol_violation, "handshake message after the handshake completed");
  if (now >= deadline_) return fail(make_error(Errc::timeout, "link handshake timed out"));
  if (message.size() > kMaxHandshakeMessageBytes)
    return fail(make_error(Errc::too_large, "handshake message larger than any valid one"));
  switch (step_) {
    case Step::await_message1: return handle_message1(message);
    case Step::await_message2: return handle_message2(message);
    case Step::await_message3: return handle_message3(message);
    case Step::finished: break;
  }
  return fail(make_error(Errc::protocol_violation, "unexpected handshake message"));
}

void Handshake::on_timeout(TimeUs now) {
  if (status_ == HandshakeStatus::in_progress && now >= deadline_)
    (void)fail(make_error(Errc::timeout, "link handshake timed out"));
}

TimeUs Handshake::next_deadline() const { return status_ == HandshakeStatus::in_progress ? deadline_ : kNever; }

std::optional<Bytes> Handshake::poll_transmit() {
  std::optional<Bytes> out = std::move(outgoing_);
  outgoing_.reset();
  return out;
}

Result<HandshakeOutcome> Handshake::take_outcome() {
  if (status_ == HandshakeStatus::failed) return *error_;
  if (!outcome_) return make_error(Errc::invalid_argument, "handshake not complete or outcome already taken");
  HandshakeOutcome out = std::move(*outcome_);
  outcome_.reset();
  return out;
}

// Responder: -> e. Encapsulate to the initiator's ephemeral key, then authenticate.
Status Handshake::handle_message1(ByteView message) {
  auto parsed = parse_message1(message);
  if (!parsed) return fail(parsed.error());
  auto ephemeral = crypto::HybridKemPublicKey::decode(parsed->ephemeral_public);
  if (!ephemeral) return fail(ephemeral.error());
  transcript_.mix_hash(message);

  crypto::KemEncapsulation encapsulation = crypto::hybrid_kem_encapsulate(*ephemeral, random_);
  const auto header = handshake_header(HandshakeType::responder_auth);
  transcript_.mix_hash(header);
  transcript_.mix_hash(encapsulation.ciphertext);
  transcript_.mix_key(encapsulation.shared_secret);

  const Bytes sealed = seal_own_identity(kResponderSignContext);
  outgoing_ = encode_message2(encapsulation.ciphertext, sealed);
  step_ = Step::await_message3;
  return {};
}

// Initiator: <- ekem, s. Decapsulate, authenticate the responder, then reveal ourselves.
Status Handshake::handle_message2(ByteView message) {
  auto parsed = parse_message2(message);
  if (!parsed) return fail(parsed.error());
  // ML-KEM's implicit rejection means a tampered ciphertext yields a wrong (not failing)
  // secret; the AEAD below then fails.
  auto shared = crypto::hybrid_kem_decapsulate(*ephemeral_, parsed->kem_ciphertext);
  ephemeral_.reset();  // single use: the ephemeral secret is wiped now (forward secrecy)
  if (!shared) return fail(shared.error());
  transcript_.mix_hash(parsed->cleartext_part.first(kHandshakeHeaderBytes));
  transcript_.mix_hash(parsed->kem_ciphertext);
  transcript_.mix_key(*shared);

  Bytes plaintext;
  auto peer = open_peer_identity(parsed->sealed_identity, kResponderSignContext, plaintext);
  if (!peer) return fail(peer.error());

  transcript_.mix_hash(handshake_header(HandshakeType::initiator_auth));
  const Bytes sealed = seal_own_identity(kInitiatorSignContext);
  outgoing_ = encode_message3(sealed);
  complete(peer->signing_key);
  return {};
}

// Responder: -> s. Authenticate the initiator.
Status Handshake::handle_message3(ByteView message) {
  auto parsed = parse_message3(message);
  if (!parsed) return fail(parsed.error());
  transcript_.mix_hash(parsed->header);
  Bytes plaintext;
  auto peer = open_peer_identity(parsed->sealed_identity, kInitiatorSignContext, plaintext);
  if (!peer) return fail(peer.error());
  complete(peer->signing_key);
  return {};
}

Bytes Handshake::seal_own_identity(std::string_view context) {
  const crypto::Hash256 signed_hash = transcript_.hash();
  const Bytes signature = crypto::hybrid_sign(self_.signing, context, signed_hash, random_);
  const Bytes plaintext = encode_identity_payload(self_.signing.public_key, signature);
  Bytes sealed = transcript_.seal(plaintext);  // ad = the signed hash
  transcript_.mix_hash(sealed);
  transcript_.mix_hash(self_.signing.public_key.encode());
  return sealed;
}

Result<IdentityPayload> Handshake::open_peer_identity(ByteView sealed, std::string_view context,
                                                      Bytes& plaintext_storage) {
  const crypto::Hash256 signed_hash = transcript_.hash();
  auto opened = transcript_.open(sealed);
  if (!opened) return make_error(Errc::verify_failed, "handshake identity failed to decrypt (tampered or wrong key)");
  plaintext_storage = std::move(*opened);
  ZM_TRY(IdentityPayload payload, parse_identity_payload(plaintext_storage));
  const NodeId peer_id = NodeId::of(payload.signing_key);
  if (peer_id == self_.id) return make_error(Errc::protocol_violation, "peer presented our own identity");
  if (role_ == HandshakeRole::initiator && config_.expected_peer && *config_.expected_peer != peer_id)
    return make_error(Errc::verify_failed,
                      "wrong identity: expected " + config_.expected_peer->short_hex() + ", got " + peer_id.short_hex());
  auto verified = crypto::hybrid_verify(payload.signing_key, context, signed_hash, payload.signature);
  if (!verified) return make_error(Errc::verify_failed, "handshake signature invalid: " + verified.error().message);
  transcript_.mix_hash(sealed);
  transcript_.mix_hash(payload.signing_key.encode());
  return payload;
}

void Handshake::complete(const crypto::HybridSigPublicKey& peer_key) {
  DirectionalKeys keys = transcript_.split();
  HandshakeOutcome outcome;
  outcome.role = role_;
  if (role_ == HandshakeRole::initiator) {
    outcome.send_key = std::move(keys.initiator_to_responder);
    outcome.receive_key = std::move(keys.responder_to_initiator);
  } else {
    outcome.send_key = std::move(keys.responder_to_initiator);
    outcome.receive_key = std::move(keys.initiator_to_responder);
  }
  outcome.session_id = transcript_.hash();
  outcome.peer_id = NodeId::of(peer_key);
  outcome.peer_signing_key = peer_key;
  outcome_ = std::move(outcome);
  step_ = Step::finished;
  status_ = HandshakeStatus::complete;
}

Status Handshake::fail(Error error) {
  ephemeral_.reset();
  outgoing_.reset();
  outcome_.reset();
  step_ = Step::finished;
  status_ = HandshakeStatus::failed;
  error_ = error;
  return error;
}

}  // namespace zmesh::link
