#include "node/own_descriptor.hpp"

#include <algorithm>

#include "dht/record.hpp"
#include "node/transport_url.hpp"

namespace zmesh::node {
namespace {

// Bytes of a signed descriptor's encoding (docs/protocol/descriptor.md "Byte layout").
std::size_t encoded_size(const NodeDescriptor& d) {
  std::size_t size = 2050 + 1232 * d.onion_keys.size() + 1 + crypto::kHybridSignatureBytes;
  for (const auto& a : d.addresses) size += 2 + a.address.size();
  return size;
}

}  // namespace

Result<NodeDescriptor> build_own_descriptor(const NodeIdentity& identity, const std::vector<OnionKeyPair>& onion_keys,
                                            const OwnDescriptorParams& params, RandomSource& random) {
  const UnixSeconds now = params.now;
  NodeDescriptor d;
  d.created_at = now;
  d.sequence = params.sequence;
  d.capabilities = params.capabilities;
  d.bandwidth_kib_per_s = params.bandwidth_kib_per_s;
  for (const auto& url : params.listen_urls) {
    if (!is_advertisable_url(url)) continue;
    auto address = transport_address_from_url(url);
    if (d.addresses.size() == kMaxTransportAddresses)
      return make_error(Errc::limit_exceeded, "more than " + std::to_string(kMaxTransportAddresses) + " listen addresses");
    d.addresses.push_back(std::move(address).value());
  }
  for (const auto& key : onion_keys)
    if (key.valid_until > now) d.onion_keys.push_back(key.public_part());
  std::sort(d.onion_keys.begin(), d.onion_keys.end(),
            [](const OnionPublicKey& a, const OnionPublicKey& b) { return a.valid_from > b.valid_from; });
  if (d.onion_keys.size() > kMaxOnionKeys) d.onion_keys.resize(kMaxOnionKeys);
  const OnionPublicKey* current = d.onion_key_at(now);
  if (current == nullptr) return make_error(Errc::expired, "no onion key is usable now: cannot publish a descriptor");
  const OnionPublicKey in_use = *current;
  // Newest first: dropping from the back drops the oldest, but never the key in use.
  while (encoded_size(d) > dht::kMaxRecordValueBytes && d.onion_keys.size() > 1) {
    auto victim = d.onion_keys.end() - 1;
    if (*victim == in_use) --victim;
    d.onion_keys.erase(victim);
  }
  if (encoded_size(d) > dht::kMaxRecordValueBytes)
    return make_error(Errc::too_large, "descriptor does not fit a DHT record: too many or too long addresses");
  UnixSeconds last_key_end = 0;
  for (const auto& key : d.onion_keys) last_key_end = std::max(last_key_end, key.valid_until);
  d.expires_at = std::min(now + std::clamp<UnixSeconds>(params.lifetime, 1, kMaxDescriptorLifetime), last_key_end);
  ZM_CHECK(d.sign(identity, random));
  return d;
}

}  // namespace zmesh::node
