#include "node/onion_key_rotation.hpp"

#include <algorithm>
#include <limits>

namespace zmesh::node {
namespace {

UnixSeconds newest_end(const std::vector<OnionKeyPair>& keys) {
  UnixSeconds end = 0;
  for (const OnionKeyPair& key : keys) end = std::max(end, key.valid_until);
  return end;
}

UnixSeconds lead_point(UnixSeconds end, UnixSeconds lead) { return end > lead ? end - lead : 0; }

}  // namespace

OnionKeyPair clone_onion_key(const OnionKeyPair& key) {
  return OnionKeyPair{crypto::HybridKemKeyPair{key.keys.public_key, key.keys.mlkem_secret.clone(), key.keys.x25519_secret.clone()},
                      key.valid_from, key.valid_until};
}

std::vector<OnionKeyPair> clone_onion_keys(const std::vector<OnionKeyPair>& keys) {
  std::vector<OnionKeyPair> out;
  for (const OnionKeyPair& key : keys) out.push_back(clone_onion_key(key));
  return out;
}

OnionKeyRotationPlan plan_onion_key_rotation(const std::vector<OnionKeyPair>& keys, UnixSeconds now,
                                             const OnionKeyRotationConfig& config) {
  OnionKeyRotationPlan plan;
  plan.generate = keys.empty() || now >= lead_point(newest_end(keys), config.lead);
  for (const OnionKeyPair& key : keys)
    if (now >= key.valid_until + config.grace) plan.retire.push_back(key.id());
  return plan;
}

UnixSeconds next_onion_key_rotation(const std::vector<OnionKeyPair>& keys, const OnionKeyRotationConfig& config) {
  if (keys.empty()) return 0;
  UnixSeconds next = lead_point(newest_end(keys), config.lead);
  for (const OnionKeyPair& key : keys) next = std::min(next, key.valid_until + config.grace);
  return next;
}

}  // namespace zmesh::node
