// When a relay's onion keys turn over (Tor rotates its onion keys on a schedule and keeps the
// previous one for a while, tor-spec §5.1 / dir-spec "onion-key"): a new key is generated
// `lead` before the newest one ends, so that clients see it in the republished descriptor
// before they need it, and a key is dropped `grace` after its end, so that setups built from a
// slightly old descriptor (or a skewed clock) still work. Pure: the caller draws the key.
#pragma once

#include <vector>

#include "identity/onion_key.hpp"

namespace zmesh::node {

struct OnionKeyRotationConfig {
  UnixSeconds lifetime = kDefaultOnionKeyLifetime;  // of each new key
  UnixSeconds lead = 1 * kDay;                      // generate the next key this long before the end
  UnixSeconds grace = 10 * kMinute;                 // keep a key this long after its end
};

struct OnionKeyRotationPlan {
  bool generate = false;           // add a key valid from now for `lifetime`
  std::vector<OnionKeyId> retire;  // keys past their end plus grace
  bool any() const { return generate || !retire.empty(); }
};

// A copy in fresh guarded memory (key pairs are move-only so that secrets are not copied by accident).
OnionKeyPair clone_onion_key(const OnionKeyPair& key);
std::vector<OnionKeyPair> clone_onion_keys(const std::vector<OnionKeyPair>& keys);

OnionKeyRotationPlan plan_onion_key_rotation(const std::vector<OnionKeyPair>& keys, UnixSeconds now,
                                             const OnionKeyRotationConfig& config);
// The next Unix second at which the plan changes (a key reaches its lead or grace point).
UnixSeconds next_onion_key_rotation(const std::vector<OnionKeyPair>& keys, const OnionKeyRotationConfig& config);

}  // namespace zmesh::node
