// OnionService: rotating this relay's onion keys (node/onion_key_rotation.hpp) and telling the
// driver, which persists them and republishes the descriptor.
#include <algorithm>

#include "node/onion_service.hpp"

namespace zmesh::node {

void OnionService::rotate_keys(Now now) {
  const UnixSeconds unix_time = now.unix_seconds();
  const OnionKeyRotationPlan plan = plan_onion_key_rotation(onion_keys_, unix_time, config_.key_rotation);
  if (plan.any()) {
    for (const OnionKeyId& id : plan.retire) {
      relay_.retire_onion_key(id);
      onion_keys_.erase(std::remove_if(onion_keys_.begin(), onion_keys_.end(),
                                       [&](const OnionKeyPair& key) { return key.id() == id; }),
                        onion_keys_.end());
    }
    if (plan.generate && onion_keys_.size() < kMaxOnionKeys) {
      OnionKeyPair key = OnionKeyPair::generate(random_, unix_time, config_.key_rotation.lifetime);
      if (relay_.add_onion_key(key).ok()) onion_keys_.push_back(std::move(key));
    }
    ++key_rotations_;
    if (host_ != nullptr) host_->log(log::Level::info, "onion: rotated onion keys (" + std::to_string(onion_keys_.size()) + " held)");
    if (keys_changed_) keys_changed_(now, onion_keys_);
  }
  const UnixSeconds next = next_onion_key_rotation(onion_keys_, config_.key_rotation);
  next_key_check_ = std::max(now.mono_at_unix(std::max(next, unix_time + 1)), now.mono + kSecond);
}

}  // namespace zmesh::node
