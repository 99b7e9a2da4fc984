// NodeId: BLAKE2b-256 over the encoding of a node's hybrid signing public key
// (ed25519_public || mldsa65_public). It names the node everywhere (DHT keyspace, links,
// circuits) and can be checked against any descriptor or handshake that carries the key.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <string>

#include "crypto/hybrid_sig.hpp"
#include "util/bytes.hpp"

namespace zmesh {

struct NodeId {
  static constexpr std::size_t kBytes = 32;
  ByteArray<kBytes> bytes{};

  static NodeId of(const crypto::HybridSigPublicKey& key);
  static Result<NodeId> from_hex(std::string_view hex);
  std::string hex() const { return to_hex(bytes); }
  std::string short_hex() const { return hex().substr(0, 12); }

  // Byte-wise (big-endian) order. Written out because emscripten's libc++ 14 has no
  // operator<=> for std::array, so `= default` does not compile there.
  std::strong_ordering operator<=>(const NodeId& other) const {
    for (std::size_t i = 0; i < kBytes; ++i) {
      if (bytes[i] != other.bytes[i]) return bytes[i] < other.bytes[i] ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    return std::strong_ordering::equal;
  }
  bool operator==(const NodeId&) const = default;
};

}  // namespace zmesh

template <>
struct std::hash<zmesh::NodeId> {
  std::size_t operator()(const zmesh::NodeId& id) const noexcept {
    std::size_t h = 0;
    for (int i = 0; i < 8; ++i) h = h << 8 | id.bytes[i];
    return h;
  }
};
