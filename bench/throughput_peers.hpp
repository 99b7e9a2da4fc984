// The two ends of zmesh_link_throughput (bench/link_throughput.cpp): a receiver that serves raw
// TCP on one port and zMesh links on the next, and senders that push a given number of bytes
// through either and time it. Everything runs on src/io's event loop, TCP streams and
// transports, with link::Link on top, exactly as a node would drive them.
//
// Raw TCP round:  sender writes u64be(total) then `total` bytes; the receiver answers one byte
//                 once it has them all.
// Link round:     after the handshake the sender sends `total` bytes as messages on channel 2,
//                 then u64be(total) on channel 3; the receiver answers u64be(bytes received)
//                 on channel 3.
// A round's time runs from the first payload byte handed to the transport (the link already
// open) until the answer arrives, so it covers delivery of every byte.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "identity/identity.hpp"
#include "io/event_loop.hpp"
#include "io/socket.hpp"
#include "io/transport.hpp"
#include "runtime/random.hpp"
#include "util/result.hpp"

namespace zmesh::bench {

struct RoundSpec {
  std::uint64_t total_bytes = 0;
  std::size_t message_bytes = 0;  // link only: application message size (≤ 65536)
};

struct RoundResult {
  double seconds = 0;
  double sender_cpu_seconds = 0;  // CPU time of the sending thread (user + system) during the round
  std::uint64_t payload_bytes = 0;
  std::uint64_t wire_bytes_out = 0;  // as counted by the sending transport
};

// "tcp://IP:PORT" or "ws://IP:PORT/zmesh-bench".
std::string link_url(const std::string& scheme, const io::SocketAddress& address);

// Serves until its loop stops: raw TCP on `address`, links on port + 1 (`link_scheme`:
// "tcp" or "ws"). Port 0 picks free ports (then raw_port()/link_port() tell which).
class ThroughputReceiver {
 public:
  static Result<std::unique_ptr<ThroughputReceiver>> open(io::EventLoop& loop, const io::SocketAddress& address,
                                                          const std::string& link_scheme);
  ~ThroughputReceiver();
  std::uint16_t raw_port() const;
  std::uint16_t link_port() const;

  struct State;

 private:
  explicit ThroughputReceiver(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// One round each; they run `loop` until done (or `timeout`).
Result<RoundResult> run_raw_round(io::EventLoop& loop, const io::SocketAddress& receiver, const RoundSpec& spec,
                                  DurationUs timeout);
Result<RoundResult> run_link_round(io::EventLoop& loop, const std::string& link_url, const RoundSpec& spec,
                                   DurationUs timeout);

}  // namespace zmesh::bench
