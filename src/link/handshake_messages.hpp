// Byte layouts of the three link handshake messages (docs/protocol/link.md "Handshake
// messages"). Parsing only checks framing (version, type, exact sizes); the cryptographic
// checks live in handshake.cpp. Views returned point into the caller's input.
#pragma once

#include <cstddef>
#include <cstdint>

#include "crypto/hybrid_kem.hpp"
#include "crypto/hybrid_sig.hpp"
#include "util/bytes.hpp"
#include "util/result.hpp"

namespace zmesh::link {

// Version 1 = suite X-Wing (ML-KEM-768 + X25519) / Ed25519 + ML-DSA-65 / ChaCha20-Poly1305 /
// BLAKE2b. Any other value is refused: there is no negotiation, so no downgrade.
inline constexpr std::uint8_t kLinkVersion = 1;

enum class HandshakeType : std::uint8_t { initiator_hello = 1, responder_auth = 2, initiator_auth = 3 };

inline constexpr std::size_t kHandshakeHeaderBytes = 2;  // version, type
// Encrypted identity: signing public key || signature || AEAD tag.
inline constexpr std::size_t kIdentityPlaintextBytes = crypto::kHybridSigPublicBytes + crypto::kHybridSignatureBytes;  // 5357
inline constexpr std::size_t kSealedIdentityBytes = kIdentityPlaintextBytes + 16;                                       // 5373
inline constexpr std::size_t kMessage1Bytes = kHandshakeHeaderBytes + crypto::kHybridKemPublicBytes;                    // 1218
inline constexpr std::size_t kMessage2Bytes =
    kHandshakeHeaderBytes + crypto::kHybridKemCiphertextBytes + kSealedIdentityBytes;  // 6495
inline constexpr std::size_t kMessage3Bytes = kHandshakeHeaderBytes + kSealedIdentityBytes;  // 5375
inline constexpr std::size_t kMaxHandshakeMessageBytes = kMessage2Bytes;

struct Message1View {
  ByteView ephemeral_public;  // X-Wing public key, 1216 bytes
};
struct Message2View {
  ByteView cleartext_part;   // header || kem_ciphertext: mixed into the transcript before MixKey
  ByteView kem_ciphertext;   // 1120 bytes
  ByteView sealed_identity;  // 5373 bytes
};
struct Message3View {
  ByteView header;
  ByteView sealed_identity;
};
struct IdentityPayload {
  crypto::HybridSigPublicKey signing_key;
  ByteView signature;  // 3373 bytes, points into the decrypted payload
};

Bytes encode_message1(const crypto::HybridKemPublicKey& ephemeral);
Bytes encode_message2(ByteView kem_ciphertext, ByteView sealed_identity);
Bytes encode_message3(ByteView sealed_identity);
// The header alone (for transcript mixing before the rest of the message exists).
ByteArray<kHandshakeHeaderBytes> handshake_header(HandshakeType type);

Result<Message1View> parse_message1(ByteView message);
Result<Message2View> parse_message2(ByteView message);
Result<Message3View> parse_message3(ByteView message);

Bytes encode_identity_payload(const crypto::HybridSigPublicKey& key, ByteView signature);
Result<IdentityPayload> parse_identity_payload(ByteView plaintext);

}  // namespace zmesh::link
