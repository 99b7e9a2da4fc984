#include "onion/replay_cache.hpp"

namespace zmesh::onion {

ReplayVerdict ReplayCache::check_and_insert(const ReplayTag& tag) {
  if (tags_.count(tag) != 0) return ReplayVerdict::replay;
  if (tags_.size() >= max_tags_) return ReplayVerdict::full;
  tags_.insert(tag);
  return ReplayVerdict::fresh;
}

}  // namespace zmesh::onion
