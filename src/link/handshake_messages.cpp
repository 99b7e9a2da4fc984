#include "link/handshake_messages.hpp"

#include <string>

#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh::link {
namespace {

// Version first, then type, then the exact size: a future version may have other sizes, so
// "unsupported version" is the error a peer speaking it must see.
Status check_framing(ByteView message, HandshakeType expected, std::size_t expected_bytes) {
  wire::Reader reader(message);
  ZM_TRY(const std::uint8_t version, reader.u8());
  if (version != kLinkVersion)
    return make_error(Errc::protocol_violation, "unsupported link version " + std::to_string(version));
  ZM_TRY(const std::uint8_t type, reader.u8());
  if (type != static_cast<std::uint8_t>(expected))
    return make_error(Errc::protocol_violation, "expected handshake message " +
                                                    std::to_string(static_cast<int>(expected)) + ", got type " +
                                                    std::to_string(type));
  if (message.size() < expected_bytes)
    return make_error(Errc::truncated, "handshake message " + std::to_string(static_cast<int>(expected)) + " must be " +
                                           std::to_string(expected_bytes) + " bytes, got " + std::to_string(message.size()));
  if (message.size() > expected_bytes)
    return make_error(Errc::too_large, "handshake message " + std::to_string(static_cast<int>(expected)) + " must be " +
                                           std::to_string(expected_bytes) + " bytes, got " + std::to_string(message.size()));
  return {};
}

}  // namespace

ByteArray<kHandshakeHeaderBytes> handshake_header(HandshakeType type) {
  return {kLinkVersion, static_cast<std::uint8_t>(type)};
}

Bytes encode_message1(const crypto::HybridKemPublicKey& ephemeral) {
  wire::Writer writer(kMessage1Bytes);
  writer.bytes(handshake_header(HandshakeType::initiator_hello)).bytes(ephemeral.encode());
  return writer.take();
}

Bytes encode_message2(ByteView kem_ciphertext, ByteView sealed_identity) {
  wire::Writer writer(kMessage2Bytes);
  writer.bytes(handshake_header(HandshakeType::responder_auth)).bytes(kem_ciphertext).bytes(sealed_identity);
  return writer.take();
}

Bytes encode_message3(ByteView sealed_identity) {
  wire::Writer writer(kMessage3Bytes);
  writer.bytes(handshake_header(HandshakeType::initiator_auth)).bytes(sealed_identity);
  return writer.take();
}

Result<Message1View> parse_message1(ByteView message) {
  ZM_CHECK(check_framing(message, HandshakeType::initiator_hello, kMessage1Bytes));
  return Message1View{message.subspan(kHandshakeHeaderBytes)};
}

Result<Message2View> parse_message2(ByteView message) {
  ZM_CHECK(check_framing(message, HandshakeType::responder_auth, kMessage2Bytes));
  const std::size_t cleartext = kHandshakeHeaderBytes + crypto::kHybridKemCiphertextBytes;
  return Message2View{message.first(cleartext), message.subspan(kHandshakeHeaderBytes, crypto::kHybridKemCiphertextBytes),
                      message.subspan(cleartext)};
}

Result<Message3View> parse_message3(ByteView message) {
  ZM_CHECK(check_framing(message, HandshakeType::initiator_auth, kMessage3Bytes));
  return Message3View{message.first(kHandshakeHeaderBytes), message.subspan(kHandshakeHeaderBytes)};
}

Bytes encode_identity_payload(const crypto::HybridSigPublicKey& key, ByteView signature) {
  wire::Writer writer(kIdentityPlaintextBytes);
  writer.bytes(key.encode()).bytes(signature);
  return writer.take();
}

Result<IdentityPayload> parse_identity_payload(ByteView plaintext) {
  wire::Reader reader(plaintext);
  ZM_TRY(const ByteView key_bytes, reader.bytes(crypto::kHybridSigPublicBytes));
  ZM_TRY(const ByteView signature, reader.bytes(crypto::kHybridSignatureBytes));
  ZM_CHECK(reader.expect_end("handshake identity payload"));
  ZM_TRY(crypto::HybridSigPublicKey key, crypto::HybridSigPublicKey::decode(key_bytes));
  return IdentityPayload{std::move(key), signature};
}

}  // namespace zmesh::link
