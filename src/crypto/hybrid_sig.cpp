// Hybrid signatures: Ed25519 (RFC 8032) AND ML-DSA-65 (FIPS 204) over the same
// domain-separated message; see docs/crypto.md "Hybrid signatures" for the byte layout.
#include "crypto/hybrid_sig.hpp"

#include <sodium.h>

#include <cstring>

#include "crypto/misuse.hpp"

namespace zmesh::crypto {
namespace {

constexpr std::string_view kEd25519Prefix = "zmesh-sig";

ByteView context_bytes(std::string_view context) { return as_bytes(context); }

// "zmesh-sig" || u8(len(context)) || context || message. The length byte makes the split
// between context and message unambiguous.
Bytes ed25519_message(std::string_view context, ByteView message) {
  Bytes out;
  out.reserve(kEd25519Prefix.size() + 1 + context.size() + message.size());
  append(out, as_bytes(kEd25519Prefix));
  out.push_back(static_cast<std::uint8_t>(context.size()));
  append(out, context_bytes(context));
  append(out, message);
  return out;
}

}  // namespace

Bytes HybridSigPublicKey::encode() const {
  Bytes out;
  out.reserve(kHybridSigPublicBytes);
  append(out, ed25519.bytes);
  append(out, mldsa.bytes);
  return out;
}

Result<HybridSigPublicKey> HybridSigPublicKey::decode(ByteView bytes) {
  if (bytes.size() != kHybridSigPublicBytes) return make_error(Errc::malformed, "hybrid signature public key must be 1984 bytes");
  HybridSigPublicKey key;
  std::memcpy(key.ed25519.bytes.data(), bytes.data(), kEd25519PublicBytes);
  std::memcpy(key.mldsa.bytes.data(), bytes.data() + kEd25519PublicBytes, kMlDsa65PublicBytes);
  // Refuse non-canonical or small-order Ed25519 keys up front (verification would reject
  // every signature anyway; failing at decode gives the clearer error).
  if (crypto_core_ed25519_is_valid_point(key.ed25519.bytes.data()) != 1)
    return make_error(Errc::malformed, "hybrid signature public key: invalid Ed25519 point");
  return key;
}

HybridSigKeyPair hybrid_sig_generate(RandomSource& random) {
  Ed25519KeyPair ed = ed25519_generate(random);
  MlDsa65KeyPair ml = mldsa65_generate(random);
  return HybridSigKeyPair{{ed.public_key, ml.public_key}, std::move(ed.secret_key), std::move(ml.secret_key)};
}

Bytes hybrid_sign(const HybridSigKeyPair& key, std::string_view context, ByteView message, RandomSource& random) {
  if (context.size() > kHybridSigMaxContextBytes) detail::misuse("hybrid_sign: context longer than 255 bytes");
  Bytes signature;
  signature.reserve(kHybridSignatureBytes);
  append(signature, ed25519_sign(key.ed25519_secret, ed25519_message(context, message)));
  append(signature, mldsa65_sign(key.mldsa_secret, message, context_bytes(context), random));
  return signature;
}

Status hybrid_verify(const HybridSigPublicKey& key, std::string_view context, ByteView message, ByteView signature) {
  if (signature.size() != kHybridSignatureBytes) return make_error(Errc::malformed, "hybrid signature must be 3373 bytes");
  if (context.size() > kHybridSigMaxContextBytes)
    return make_error(Errc::invalid_argument, "hybrid signature context longer than 255 bytes");
  // Both must pass: an attacker has to forge Ed25519 AND ML-DSA-65.
  ZM_CHECK(ed25519_verify(key.ed25519, ed25519_message(context, message), signature.first(kEd25519SignatureBytes)));
  ZM_CHECK(mldsa65_verify(key.mldsa, message, context_bytes(context), signature.subspan(kEd25519SignatureBytes)));
  return {};
}

}  // namespace zmesh::crypto
