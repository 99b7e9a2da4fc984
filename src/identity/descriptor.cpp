#include "identity/descriptor.hpp"

#include <cstdlib>

#include "wire/reader.hpp"
#include "wire/writer.hpp"

namespace zmesh {
namespace {

constexpr std::size_t kOnionKeyEntryBytes = 8 + 8 + crypto::kHybridKemPublicBytes;

Error field_error(Errc code, const std::string& what) { return make_error(code, "descriptor: " + what); }

void write_signed_part(const NodeDescriptor& d, wire::Writer& w) {
  // Counts and lengths beyond one byte would silently wrap: encoding an unchecked descriptor
  // is a programming error.
  if (d.onion_keys.size() > 0xff || d.addresses.size() > 0xff) std::abort();
  w.u8(kDescriptorVersion);
  w.bytes(d.node_id.bytes);
  w.bytes(d.signing_key.encode());
  w.u64(d.created_at).u64(d.expires_at).u64(d.sequence);
  w.u32(d.capabilities).u32(d.bandwidth_kib_per_s);
  w.u8(static_cast<std::uint8_t>(d.onion_keys.size()));
  for (const OnionPublicKey& key : d.onion_keys) {
    w.u64(key.valid_from).u64(key.valid_until);
    w.bytes(key.key.encode());
  }
  w.u8(static_cast<std::uint8_t>(d.addresses.size()));
  for (const TransportAddress& address : d.addresses) {
    w.u8(static_cast<std::uint8_t>(address.kind));
    w.string_u8(address.address);
  }
}

Result<OnionPublicKey> read_onion_key(wire::Reader& r) {
  OnionPublicKey key;
  ZM_TRY(key.valid_from, r.u64());
  ZM_TRY(key.valid_until, r.u64());
  ZM_TRY(ByteView raw, r.bytes(crypto::kHybridKemPublicBytes));
  ZM_TRY(key.key, crypto::HybridKemPublicKey::decode(raw));
  return key;
}

Result<TransportAddress> read_address(wire::Reader& r) {
  TransportAddress address;
  ZM_TRY(std::uint8_t kind, r.u8());
  address.kind = static_cast<TransportKind>(kind);
  ZM_TRY(address.address, r.string_u8(kMaxTransportAddressBytes));
  ZM_CHECK(address.check());
  return address;
}

Status check_onion_keys(const std::vector<OnionPublicKey>& keys) {
  if (keys.empty()) return field_error(Errc::malformed, "no onion key");
  if (keys.size() > kMaxOnionKeys) {
    return field_error(Errc::too_large, std::to_string(keys.size()) + " onion keys, limit " + std::to_string(kMaxOnionKeys));
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const OnionPublicKey& key = keys[i];
    if (key.valid_from >= key.valid_until) return field_error(Errc::malformed, "onion key valid_until not after valid_from");
    if (key.valid_until - key.valid_from > kMaxOnionKeyLifetime) return field_error(Errc::malformed, "onion key lifetime above limit");
    for (std::size_t j = 0; j < i; ++j) {
      if (keys[j].key == key.key) return field_error(Errc::malformed, "duplicate onion key");
    }
  }
  return {};
}

}  // namespace

Status NodeDescriptor::check_fields() const {
  if (created_at >= expires_at) return field_error(Errc::malformed, "expires_at not after created_at");
  if (expires_at - created_at > kMaxDescriptorLifetime) return field_error(Errc::malformed, "lifetime above limit");
  ZM_CHECK(check_onion_keys(onion_keys));
  if (addresses.size() > kMaxTransportAddresses) {
    return field_error(Errc::too_large, std::to_string(addresses.size()) + " addresses, limit " + std::to_string(kMaxTransportAddresses));
  }
  for (const TransportAddress& address : addresses) ZM_CHECK(address.check());
  return {};
}

Bytes NodeDescriptor::signed_part() const {
  wire::Writer w(kMaxDescriptorBytes);
  write_signed_part(*this, w);
  return w.take();
}

Bytes NodeDescriptor::encode() const {
  if (signature.size() != crypto::kHybridSignatureBytes) std::abort();  // unsigned descriptor
  wire::Writer w(kMaxDescriptorBytes);
  write_signed_part(*this, w);
  w.bytes(signature);
  return w.take();
}

Result<NodeDescriptor> NodeDescriptor::decode(ByteView bytes) {
  if (bytes.size() > kMaxDescriptorBytes) {
    return field_error(Errc::too_large, std::to_string(bytes.size()) + " bytes, limit " + std::to_string(kMaxDescriptorBytes));
  }
  wire::Reader r(bytes);
  ZM_TRY(std::uint8_t version, r.u8());
  if (version != kDescriptorVersion) return field_error(Errc::malformed, "unsupported version " + std::to_string(version));
  NodeDescriptor d;
  ZM_TRY(d.node_id.bytes, r.array<NodeId::kBytes>());
  ZM_TRY(ByteView signing_raw, r.bytes(crypto::kHybridSigPublicBytes));
  ZM_TRY(d.signing_key, crypto::HybridSigPublicKey::decode(signing_raw));
  ZM_TRY(d.created_at, r.u64());
  ZM_TRY(d.expires_at, r.u64());
  ZM_TRY(d.sequence, r.u64());
  ZM_TRY(d.capabilities, r.u32());
  ZM_TRY(d.bandwidth_kib_per_s, r.u32());

  ZM_TRY(std::uint8_t onion_count, r.u8());
  if (onion_count == 0) return field_error(Errc::malformed, "no onion key");
  if (onion_count > kMaxOnionKeys) return field_error(Errc::too_large, std::to_string(onion_count) + " onion keys");
  if (r.remaining() < onion_count * kOnionKeyEntryBytes) return field_error(Errc::truncated, "onion keys cut short");
  for (std::size_t i = 0; i < onion_count; ++i) {
    ZM_TRY(OnionPublicKey key, read_onion_key(r));
    d.onion_keys.push_back(std::move(key));
  }

  ZM_TRY(std::uint8_t address_count, r.u8());
  if (address_count > kMaxTransportAddresses) return field_error(Errc::too_large, std::to_string(address_count) + " addresses");
  for (std::size_t i = 0; i < address_count; ++i) {
    ZM_TRY(TransportAddress address, read_address(r));
    d.addresses.push_back(std::move(address));
  }

  ZM_TRY(ByteView signature, r.bytes(crypto::kHybridSignatureBytes));
  d.signature.assign(signature.begin(), signature.end());
  ZM_CHECK(r.expect_end("descriptor"));
  return d;
}

Status NodeDescriptor::sign(const NodeIdentity& identity, RandomSource& random) {
  node_id = identity.id;
  signing_key = identity.signing.public_key;
  ZM_CHECK(check_fields());
  signature = crypto::hybrid_sign(identity.signing, kDescriptorSignatureContext, signed_part(), random);
  return {};
}

Status NodeDescriptor::verify(UnixSeconds now) const {
  ZM_CHECK(check_fields());
  if (signature.size() != crypto::kHybridSignatureBytes) return field_error(Errc::malformed, "signature has the wrong size");
  if (NodeId::of(signing_key) != node_id) return field_error(Errc::verify_failed, "node id does not match the signing key");
  // Time checks come before the (comparatively expensive) signature check.
  if (created_at > now && created_at - now > kMaxDescriptorClockSkew) {
    return field_error(Errc::expired, "not valid yet (created " + std::to_string(created_at - now) + " s in the future)");
  }
  if (now >= expires_at) return field_error(Errc::expired, "expired " + std::to_string(now - expires_at) + " s ago");
  if (onion_key_at(now) == nullptr) return field_error(Errc::expired, "no onion key valid now");
  auto signed_ok = crypto::hybrid_verify(signing_key, kDescriptorSignatureContext, signed_part(), signature);
  if (!signed_ok.ok()) return field_error(Errc::verify_failed, "bad signature (" + signed_ok.error().message + ")");
  return {};
}

Status NodeDescriptor::verify_for(const NodeId& expected, UnixSeconds now) const {
  if (node_id != expected) {
    return field_error(Errc::verify_failed, "belongs to " + node_id.short_hex() + ", expected " + expected.short_hex());
  }
  return verify(now);
}

const OnionPublicKey* NodeDescriptor::onion_key_at(UnixSeconds now) const {
  const OnionPublicKey* best = nullptr;
  for (const OnionPublicKey& key : onion_keys) {
    const bool started = key.valid_from <= now || key.valid_from - now <= kMaxDescriptorClockSkew;
    const bool usable = started && now < key.valid_until;
    if (usable && (best == nullptr || key.valid_from > best->valid_from)) best = &key;
  }
  return best;
}

const OnionPublicKey* NodeDescriptor::onion_key_by_id(const OnionKeyId& id) const {
  for (const OnionPublicKey& key : onion_keys) {
    if (key.id() == id) return &key;
  }
  return nullptr;
}

}  // namespace zmesh
