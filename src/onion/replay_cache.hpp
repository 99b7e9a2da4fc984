// Replay protection for setup packets (Sphinx §3.2 "tag"): each processed header leaves a
// 16-byte tag derived from its shared secret; a header whose tag was seen is refused. Tags
// are kept per onion key: when a key is retired nobody can build a valid header for it any
// more, so its tags are dropped with it (key rotation bounds the cache in time); within a key's
// life the cache is bounded in size, and when full it refuses new setups for that key rather
// than forget a tag (fail closed: the relay should rotate the key, see OnionRelay).
#pragma once

#include <cstddef>
#include <cstring>
#include <unordered_set>

#include "onion/sphinx_keys.hpp"

namespace zmesh::onion {

enum class ReplayVerdict { fresh, replay, full };

class ReplayCache {
 public:
  explicit ReplayCache(std::size_t max_tags) : max_tags_(max_tags) {}

  // fresh: remembered now; replay: seen before; full: not remembered, refuse the setup.
  ReplayVerdict check_and_insert(const ReplayTag& tag);
  bool contains(const ReplayTag& tag) const { return tags_.count(tag) != 0; }
  std::size_t size() const { return tags_.size(); }
  std::size_t max_tags() const { return max_tags_; }

 private:
  struct TagHash {
    // Tags are pseudo-random (KDF output), so any 8 of their bytes are a good hash.
    std::size_t operator()(const ReplayTag& tag) const noexcept {
      std::size_t h = 0;
      std::memcpy(&h, tag.data(), sizeof h);
      return h;
    }
  };
  std::size_t max_tags_;
  std::unordered_set<ReplayTag, TagHash> tags_;
};

}  // namespace zmesh::onion
