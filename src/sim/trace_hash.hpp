// A running BLAKE2b-256 over every event the simulator hands to a core (and every fault it
// injects). Equal hashes mean two runs saw the same events at the same times with the same
// bytes; it is the cheap way to check determinism and to compare a replay with a report.
#pragma once

#include <sodium.h>

#include <cstdint>

#include "runtime/time.hpp"
#include "util/bytes.hpp"

namespace zmesh::sim {

// 1-4: every simulator; 5-9: the connection events and faults of whole nodes (node_simulator.hpp),
// where `source` is the connection id folded to 32 bits and `receive` is on_transport_data.
enum class TraceKind : std::uint8_t {
  start = 1,
  receive = 2,
  timeout = 3,
  crash = 4,
  opened = 5,
  closed = 6,
  dial_failed = 7,
  freeze = 8,
  partition = 9,
};

class TraceHash {
 public:
  TraceHash();
  // Layout per event: time u64 | node u32 | kind u8 | source u32 | payload length u32 | payload,
  // integers big-endian.
  void record(TimeUs time, std::uint32_t node, TraceKind kind, std::uint32_t source, ByteView payload);
  // The hash of everything recorded so far (the running state is left untouched).
  ByteArray<32> digest() const;

 private:
  crypto_generichash_state state_;
};

}  // namespace zmesh::sim
