#include "sim/trace_hash.hpp"

namespace zmesh::sim {
namespace {

void put_be(std::uint8_t* out, std::uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * (width - 1 - i)));
}

}  // namespace

TraceHash::TraceHash() {
  // A personalised start would need the _salt_personal variant; a domain-separating first
  // record is simpler and has the same effect.
  crypto_generichash_init(&state_, nullptr, 0, 32);
  static const char kDomain[] = "zmesh-sim-trace-v1";
  crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(kDomain), sizeof kDomain - 1);
}

void TraceHash::record(TimeUs time, std::uint32_t node, TraceKind kind, std::uint32_t source, ByteView payload) {
  std::uint8_t header[8 + 4 + 1 + 4 + 4];
  put_be(header, static_cast<std::uint64_t>(time), 8);
  put_be(header + 8, node, 4);
  header[12] = static_cast<std::uint8_t>(kind);
  put_be(header + 13, source, 4);
  put_be(header + 17, payload.size(), 4);
  crypto_generichash_update(&state_, header, sizeof header);
  if (!payload.empty()) crypto_generichash_update(&state_, payload.data(), payload.size());
}

ByteArray<32> TraceHash::digest() const {
  crypto_generichash_state copy = state_;  // finishing consumes the state
  ByteArray<32> out{};
  crypto_generichash_final(&copy, out.data(), out.size());
  return out;
}

}  // namespace zmesh::sim
