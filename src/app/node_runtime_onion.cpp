// NodeRuntime's onion part: the OnionFrontend over the DHT's PeerDirectory, and onion key
// rotation made durable (key file) and public (a republished descriptor).

#include "app/node_runtime.hpp"
#include "identity/keyfile.hpp"
#include "node/onion_key_rotation.hpp"
#include "util/log.hpp"

namespace zmesh::app {

Status NodeRuntime::attach_onion(const std::string& key_path) {
  OnionFrontendParams params;
  params.self = keys_.identity.id;
  params.onion_keys = node::clone_onion_keys(keys_.onion_keys);
  params.directory = dht_.get();
  params.random = &random_;
  params.drain = &deferred_drain_;
  params.keys_changed = [this, key_path](Now now, const std::vector<OnionKeyPair>& keys) {
    keys_.onion_keys = node::clone_onion_keys(keys);
    if (Status saved = keyfile::save(key_path, keys_); !saved.ok())
      log::error("onion", "cannot save rotated onion keys: " + saved.error().message);
    if (Status published = dht_->republish_descriptor(now); !published.ok())
      log::warn("onion", "cannot republish the descriptor after key rotation: " + published.error().message);
  };
  ZM_TRY(onion_, OnionFrontend::create(loop_, options_.onion, std::move(params)));
  return core_->add_service(onion_->service());
}

}  // namespace zmesh::app
