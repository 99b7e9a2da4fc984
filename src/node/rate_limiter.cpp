#include "node/rate_limiter.hpp"

#include <algorithm>

#include "util/net_address.hpp"

namespace zmesh::node {

std::string host_of(std::string_view remote) {
  auto parsed = parse_host_port(remote, PortRule::optional);
  return parsed.ok() ? std::move(parsed->host) : std::string(remote);
}

HandshakeRateLimiter::HandshakeRateLimiter(RateLimitConfig config) : config_(config) {
  config_.burst = std::max(config_.burst, 1.0);
}

double HandshakeRateLimiter::refilled(const Bucket& bucket, TimeUs now) const {
  const double elapsed_s = static_cast<double>(std::max<TimeUs>(now - bucket.updated, 0)) / kSecond;
  return std::min(config_.burst, bucket.tokens + elapsed_s * config_.per_second);
}

void HandshakeRateLimiter::forget_full_buckets(TimeUs now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    it = refilled(it->second, now) >= config_.burst ? buckets_.erase(it) : std::next(it);
  }
}

bool HandshakeRateLimiter::allow(std::string_view address, TimeUs now) {
  if (config_.per_second <= 0) return true;
  const std::string key(address);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= config_.max_tracked) forget_full_buckets(now);
    if (buckets_.size() >= config_.max_tracked) return true;
    it = buckets_.emplace(key, Bucket{config_.burst, now}).first;
  }
  Bucket& bucket = it->second;
  bucket.tokens = refilled(bucket, now);
  bucket.updated = now;
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

}  // namespace zmesh::node
