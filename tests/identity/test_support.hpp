// Shared fixtures for the identity tests: seeded identities and a fully populated descriptor.
#pragma once

#include "crypto/secure.hpp"
#include "identity/descriptor.hpp"
#include "identity/identity.hpp"
#include "runtime/random.hpp"

namespace zmesh::identity_test {

inline constexpr UnixSeconds kNow = 1'750'000'000;  // June 2025

// A signed descriptor with two onion keys, three addresses and some capabilities.
inline NodeDescriptor make_descriptor(const NodeKeys& keys, RandomSource& random, UnixSeconds now = kNow) {
  NodeDescriptor d;
  d.created_at = now;
  d.expires_at = now + kDefaultDescriptorLifetime;
  d.sequence = 7;
  d.capabilities = capability::relay | capability::dht | capability::exit;
  d.bandwidth_kib_per_s = 12'500;
  d.onion_keys = keys.onion_public_keys();
  d.addresses = {{TransportKind::tcp, "198.51.100.7:4433"},
                 {TransportKind::wss, "wss://relay.example.org/zmesh"},
                 {TransportKind::webrtc, "signal:any"}};
  if (!d.sign(keys.identity, random).ok()) std::abort();
  return d;
}

// Keys with a current onion key and a next one (as during rotation).
inline NodeKeys make_keys(RandomSource& random, UnixSeconds now = kNow) {
  crypto::init();
  NodeKeys keys = NodeKeys::generate(random, now - kHour);
  keys.onion_keys.push_back(OnionKeyPair::generate(random, now + kDay));
  return keys;
}

}  // namespace zmesh::identity_test
