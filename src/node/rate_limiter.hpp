// Per-remote-address token buckets for inbound handshakes. A responder pays one KEM
// encapsulation and one hybrid signature per handshake (docs/protocol/link.md "Denial of
// service"), so a single address may start at most `burst` handshakes at once and
// `per_second` on average. The table is bounded: buckets that have refilled completely carry
// no information and are forgotten first; when it is still full, untracked addresses are
// allowed (an attacker with that many addresses is not slowed by per-address limits anyway,
// and refusing would let it lock everybody else out).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "runtime/time.hpp"

namespace zmesh::node {

struct RateLimitConfig {
  double per_second = 2.0;  // refill rate; <= 0 disables the limit
  double burst = 10.0;      // bucket size (>= 1)
  std::size_t max_tracked = 4096;
};

class HandshakeRateLimiter {
 public:
  explicit HandshakeRateLimiter(RateLimitConfig config);

  // Takes a token for `address` (a host without port) if one is available.
  bool allow(std::string_view address, TimeUs now);
  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    TimeUs updated = 0;
  };
  double refilled(const Bucket& bucket, TimeUs now) const;
  void forget_full_buckets(TimeUs now);

  RateLimitConfig config_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// "203.0.113.7:4433" → "203.0.113.7", "[2001:db8::1]:4433" → "2001:db8::1"; anything else
// (a bare IPv6 address, text that is no HOST[:PORT]) as is.
std::string host_of(std::string_view remote);

}  // namespace zmesh::node
