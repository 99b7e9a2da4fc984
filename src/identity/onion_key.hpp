// Onion (circuit-extension) keys: a hybrid KEM key pair (X25519 + ML-KEM-768, X-Wing) that a
// node publishes in its descriptor so that clients can build Sphinx headers to it. Unlike the
// signing key they are short-lived and rotated (Tor rotates onion keys every 28 days; we keep
// a shorter default) so that a later key compromise cannot open old circuits. Each key has a
// validity window and an id by which a circuit-create names the key it was built for.
#pragma once

#include <string>

#include "crypto/hybrid_kem.hpp"
#include "identity/unix_time.hpp"
#include "runtime/random.hpp"

namespace zmesh {

inline constexpr UnixSeconds kDefaultOnionKeyLifetime = 7 * kDay;
inline constexpr UnixSeconds kMaxOnionKeyLifetime = 30 * kDay;
// A node publishes at most this many at once: the current key, the next one, slack for rotation.
inline constexpr std::size_t kMaxOnionKeys = 4;

// First 8 bytes of BLAKE2b-256("zmesh/onion-key-id/v1" || public key encoding). Derived, never
// sent alongside the key, so a key and its id cannot disagree.
struct OnionKeyId {
  static constexpr std::size_t kBytes = 8;
  ByteArray<kBytes> bytes{};
  std::string hex() const { return to_hex(bytes); }
  bool operator==(const OnionKeyId&) const = default;
};

struct OnionPublicKey {
  crypto::HybridKemPublicKey key;
  UnixSeconds valid_from = 0;   // first second in which the key may be used
  UnixSeconds valid_until = 0;  // first second in which it may no longer be used

  OnionKeyId id() const;
  bool valid_at(UnixSeconds now) const { return valid_from <= now && now < valid_until; }
  bool operator==(const OnionPublicKey&) const = default;
};

struct OnionKeyPair {
  crypto::HybridKemKeyPair keys;
  UnixSeconds valid_from = 0;
  UnixSeconds valid_until = 0;

  // Valid for [valid_from, valid_from + lifetime); lifetime is clamped to kMaxOnionKeyLifetime.
  static OnionKeyPair generate(RandomSource& random, UnixSeconds valid_from,
                               UnixSeconds lifetime = kDefaultOnionKeyLifetime);
  OnionPublicKey public_part() const { return OnionPublicKey{keys.public_key, valid_from, valid_until}; }
  OnionKeyId id() const { return public_part().id(); }
  bool valid_at(UnixSeconds now) const { return valid_from <= now && now < valid_until; }
};

OnionKeyId onion_key_id(const crypto::HybridKemPublicKey& key);

}  // namespace zmesh
