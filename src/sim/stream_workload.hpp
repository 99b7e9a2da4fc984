// The application traffic of a whole-node simulation: client streams through onion circuits
// to exits that answer without opening any socket. Each stream's content is a pure function of
// a 64-bit seed carried in its target name ("s<seed>-q<request bytes>-r<response bytes>.sim"),
// so the exit checks the request and the client checks the response byte for byte, at any
// size, without either side storing what it sent.
//
// Driving it (whole_node.cpp): after every event of the node, poll() handles the onion
// service's stream events and moves bytes as flow control allows; open() starts a client
// stream. The exit side accepts every well-formed target and refuses others (exit_policy).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "node/onion_service.hpp"

namespace zmesh::sim {

struct StreamSpec {
  std::uint64_t seed = 0;
  std::uint32_t request_bytes = 0;   // client → exit
  std::uint32_t response_bytes = 0;  // exit → client
  bool operator==(const StreamSpec&) const = default;
};

onion::StreamTarget stream_target(const StreamSpec& spec);
std::optional<StreamSpec> parse_stream_spec(const onion::StreamTarget& target);
// Bytes [offset, offset + out.size()) of the content named by `seed` (splitmix64 words).
void fill_content(std::uint64_t seed, std::uint64_t offset, MutableByteView out);
// The response's content seed: distinct from the request's, so an exit that echoed the request
// would be caught.
std::uint64_t response_seed(std::uint64_t request_seed);

struct StreamCounters {
  // client side
  std::uint64_t opened = 0;
  std::uint64_t completed = 0;   // closed with every byte sent and every byte received intact
  std::uint64_t failed = 0;      // open_failed, reset, or closed short
  std::uint64_t corrupted = 0;   // a received byte differed from the content (either side)
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;  // checked against the content
  // exit side
  std::uint64_t incoming = 0;
  std::uint64_t served = 0;      // closed with the whole request received intact and the response sent
  std::uint64_t refused = 0;     // target not of this workload
  std::string last_failure;      // "open_failed: no_circuit", ...

  void add(const StreamCounters& other);
};

class StreamWorkload {
 public:
  // Both must outlive the workload.
  StreamWorkload(node::OnionService& onion, StreamCounters& counters) : onion_(onion), counters_(counters) {}

  // A client stream; counted as opened, and as failed at once when the service refuses it.
  Status open(Now now, const StreamSpec& spec);
  // Handles pending stream events; true when it called into the service (which may then have
  // queued node actions).
  bool poll(Now now);
  std::size_t live_streams() const { return streams_.size(); }

 private:
  struct Stream {
    StreamSpec spec;
    bool client = false;
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    bool corrupted = false;
    bool finished = false;
  };
  void handle(Now now, const node::OnionStreamEvent& event);
  void accept(Now now, const node::OnionStreamEvent& event);
  void write(Now now, node::StreamKey key, Stream& stream);
  void read(Now now, node::StreamKey key, Stream& stream);
  void closed(node::StreamKey key, const Stream& stream);
  void failed(node::StreamKey key, std::string why);

  node::OnionService& onion_;
  StreamCounters& counters_;
  std::map<node::StreamKey, Stream> streams_;
};

}  // namespace zmesh::sim
