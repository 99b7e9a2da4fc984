// keyfile::encode / keyfile::decode: the key file format (docs/protocol/keyfile.md), built
// and parsed in guarded memory so that secret keys never pass through an ordinary heap buffer.
#include <cstdlib>
#include <cstring>

#include "crypto/hash.hpp"
#include "crypto/hybrid_kem.hpp"
#include "identity/keyfile.hpp"
#include "wire/reader.hpp"

namespace zmesh::keyfile {
namespace {

constexpr std::uint8_t kMagic[8] = {'Z', 'M', 'E', 'S', 'H', 'K', 'E', 'Y'};
constexpr std::size_t kChecksumBytes = 32;
constexpr std::size_t kEd25519SecretBytes = 64;  // libsodium's seed || public form
constexpr std::size_t kHeaderBytes = sizeof(kMagic) + 2 + NodeId::kBytes;
constexpr std::size_t kSigningBytes = (2 + crypto::kHybridSigPublicBytes) + (2 + kEd25519SecretBytes) +
                                      (2 + crypto::kMlDsa65SecretBytes);
constexpr std::size_t kOnionEntryBytes = 8 + 8 + (2 + crypto::kHybridKemPublicBytes) +
                                         (2 + crypto::kMlKem768SecretBytes) + (2 + crypto::kX25519SecretBytes);
constexpr std::string_view kSelfTestContext = "zmesh/keyfile-selftest/v1";

// Sequential writer into a SecretBytes of exactly the final size.
class SecretWriter {
 public:
  explicit SecretWriter(std::size_t size) : out_(size) {}
  void u8(std::uint8_t v) { put(&v, 1); }
  void u16(std::uint16_t v) { big_endian(v, 2); }
  void u64(std::uint64_t v) { big_endian(v, 8); }
  void bytes(ByteView raw) { put(raw.data(), raw.size()); }
  void field(ByteView raw) {  // u16 length prefix
    u16(static_cast<std::uint16_t>(raw.size()));
    bytes(raw);
  }
  ByteView written() const { return out_.view().first(offset_); }
  crypto::SecretBytes finish() {
    if (offset_ != out_.size()) std::abort();  // size computation and layout disagree
    return std::move(out_);
  }

 private:
  void big_endian(std::uint64_t v, std::size_t width) {
    std::uint8_t raw[8];
    for (std::size_t i = 0; i < width; ++i) raw[i] = static_cast<std::uint8_t>(v >> (8 * (width - 1 - i)));
    put(raw, width);
  }
  void put(const std::uint8_t* data, std::size_t n) {
    if (n > out_.size() - offset_) std::abort();
    if (n != 0) std::memcpy(out_.data() + offset_, data, n);
    offset_ += n;
  }
  crypto::SecretBytes out_;
  std::size_t offset_ = 0;
};

Error damaged(const std::string& why) { return make_error(Errc::malformed, "key file damaged (" + why + ")"); }
Error foreign(const std::string& why) {
  return make_error(Errc::verify_failed, "foreign or inconsistent key file (" + why + ")");
}

// A u16-length-prefixed field whose length must be exactly `expected`.
Result<ByteView> read_field(wire::Reader& r, std::size_t expected, const char* what) {
  ZM_TRY(ByteView raw, r.bytes_u16());
  if (raw.size() != expected) {
    return make_error(Errc::malformed, std::string(what) + " is " + std::to_string(raw.size()) + " bytes, expected " +
                                           std::to_string(expected));
  }
  return raw;
}

Result<OnionKeyPair> read_onion_key(wire::Reader& r) {
  OnionKeyPair pair;
  ZM_TRY(pair.valid_from, r.u64());
  ZM_TRY(pair.valid_until, r.u64());
  ZM_TRY(ByteView public_raw, read_field(r, crypto::kHybridKemPublicBytes, "onion public key"));
  ZM_TRY(pair.keys.public_key, crypto::HybridKemPublicKey::decode(public_raw));
  ZM_TRY(ByteView mlkem_secret, read_field(r, crypto::kMlKem768SecretBytes, "onion ML-KEM secret key"));
  ZM_TRY(ByteView x25519_secret, read_field(r, crypto::kX25519SecretBytes, "onion X25519 secret key"));
  pair.keys.mlkem_secret = crypto::SecretBytes::copy_of(mlkem_secret);
  pair.keys.x25519_secret = crypto::SecretBytes::copy_of(x25519_secret);
  if (pair.valid_from >= pair.valid_until) return make_error(Errc::malformed, "onion key validity window is empty");
  return pair;
}

// The body after the magic and version, checksum already verified.
Result<NodeKeys> parse_body(wire::Reader& r, NodeId& stored_id) {
  ZM_TRY(stored_id.bytes, r.array<NodeId::kBytes>());
  NodeKeys keys;
  ZM_TRY(ByteView public_raw, read_field(r, crypto::kHybridSigPublicBytes, "signing public key"));
  ZM_TRY(keys.identity.signing.public_key, crypto::HybridSigPublicKey::decode(public_raw));
  ZM_TRY(ByteView ed_secret, read_field(r, kEd25519SecretBytes, "Ed25519 secret key"));
  ZM_TRY(ByteView ml_secret, read_field(r, crypto::kMlDsa65SecretBytes, "ML-DSA-65 secret key"));
  keys.identity.signing.ed25519_secret = crypto::SecretBytes::copy_of(ed_secret);
  keys.identity.signing.mldsa_secret = crypto::SecretBytes::copy_of(ml_secret);
  ZM_TRY(std::uint8_t onion_count, r.u8());
  if (onion_count > kMaxOnionKeys) return make_error(Errc::too_large, std::to_string(onion_count) + " onion keys");
  for (std::size_t i = 0; i < onion_count; ++i) {
    ZM_TRY(OnionKeyPair pair, read_onion_key(r));
    keys.onion_keys.push_back(std::move(pair));
  }
  ZM_CHECK(r.expect_end("key file"));
  return keys;
}

// Proves that every secret key belongs to the public key stored beside it.
Status check_consistency(const NodeKeys& keys, const NodeId& stored_id, RandomSource& random) {
  if (NodeId::of(keys.identity.signing.public_key) != stored_id) return foreign("NodeId does not match the public key");
  static constexpr std::string_view kProbe = "zmesh key file self-test";
  const Bytes signature = crypto::hybrid_sign(keys.identity.signing, kSelfTestContext, as_bytes(kProbe), random);
  if (!crypto::hybrid_verify(keys.identity.signing.public_key, kSelfTestContext, as_bytes(kProbe), signature).ok()) {
    return foreign("signing secret key does not match the public key");
  }
  for (const OnionKeyPair& pair : keys.onion_keys) {
    crypto::KemEncapsulation sent = crypto::hybrid_kem_encapsulate(pair.keys.public_key, random);
    auto received = crypto::hybrid_kem_decapsulate(pair.keys, sent.ciphertext);
    if (!received.ok() || !crypto::constant_time_equal(received->view(), sent.shared_secret.view())) {
      return foreign("onion secret key " + pair.id().hex() + " does not match its public key");
    }
  }
  return {};
}

}  // namespace

crypto::SecretBytes encode(const NodeKeys& keys) {
  if (keys.onion_keys.size() > kMaxOnionKeys) std::abort();  // programming error: rotation must prune
  const std::size_t size = kHeaderBytes + kSigningBytes + 1 + keys.onion_keys.size() * kOnionEntryBytes + kChecksumBytes;
  SecretWriter w(size);
  w.bytes(kMagic);
  w.u16(kVersion);
  w.bytes(keys.identity.id.bytes);
  w.field(keys.identity.signing.public_key.encode());
  w.field(keys.identity.signing.ed25519_secret.view());
  w.field(keys.identity.signing.mldsa_secret.view());
  w.u8(static_cast<std::uint8_t>(keys.onion_keys.size()));
  for (const OnionKeyPair& pair : keys.onion_keys) {
    w.u64(pair.valid_from);
    w.u64(pair.valid_until);
    w.field(pair.keys.public_key.encode());
    w.field(pair.keys.mlkem_secret.view());
    w.field(pair.keys.x25519_secret.view());
  }
  const crypto::Hash256 checksum = crypto::blake2b_256(w.written());
  w.bytes(checksum);
  return w.finish();
}

Result<NodeKeys> decode(ByteView file, RandomSource& random) {
  if (file.size() < sizeof(kMagic) || std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0) {
    return make_error(Errc::malformed, "not a zMesh key file (no ZMESHKEY magic)");
  }
  if (file.size() > kMaxBytes) return damaged("larger than " + std::to_string(kMaxBytes) + " bytes");
  if (file.size() < kHeaderBytes + kChecksumBytes) return damaged("truncated");
  const ByteView body = file.first(file.size() - kChecksumBytes);
  const crypto::Hash256 checksum = crypto::blake2b_256(body);
  if (!crypto::constant_time_equal(checksum, file.last(kChecksumBytes))) return damaged("checksum mismatch or truncated");

  wire::Reader r(body.subspan(sizeof(kMagic)));
  ZM_TRY(std::uint16_t version, r.u16());
  if (version != kVersion) {
    return make_error(Errc::malformed, "unsupported key file version " + std::to_string(version) +
                                           " (this build reads version " + std::to_string(kVersion) + ")");
  }
  NodeId stored_id;
  auto parsed = parse_body(r, stored_id);
  if (!parsed.ok()) return damaged(parsed.error().message);
  NodeKeys keys = std::move(parsed).value();
  ZM_CHECK(check_consistency(keys, stored_id, random));
  keys.identity.id = stored_id;
  return keys;
}

}  // namespace zmesh::keyfile
