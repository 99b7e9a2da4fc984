// The SOCKS5 server state machine (src/onion/socks5_server.hpp) on arbitrary client bytes:
// it never crashes; the outcome does not depend on how TCP cut the bytes (whole input vs
// pieces from fuzz/chunking.hpp give the same replies, state and request); it only ever
// answers with a method choice (2 bytes) and replies (10 bytes); it never asks for a stream
// without a valid target; and once closed it stays closed.
// Input: one byte seeding the cuts, then the client's bytes.
// Seeds: ZMESH_FUZZ_WRITE_SEEDS=DIR writes handshakes for each address type.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "chunking.hpp"
#include "fuzz_check.hpp"
#include "onion/socks5_server.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::onion;

struct Outcome {
  Bytes output;
  Socks5State state = Socks5State::greeting;
  std::optional<StreamTarget> request;
};

Outcome run(const std::vector<ByteView>& pieces) {
  Socks5Config config;
  config.max_early_data_bytes = 300;
  Socks5Server server(0, config);
  Outcome out;
  for (ByteView piece : pieces) {
    const bool was_closed = server.state() == Socks5State::closed;
    const Status s = server.on_client_bytes(piece);
    FUZZ_CHECK(!was_closed || !s.ok());
    FUZZ_CHECK(s.ok() || server.state() == Socks5State::closed || server.state() == Socks5State::established);
    append(out.output, server.take_output());
    if (auto target = server.take_connect_request()) {
      FUZZ_CHECK(!out.request.has_value());
      FUZZ_CHECK(target->check().ok());
      FUZZ_CHECK(server.state() == Socks5State::connecting);
      out.request = std::move(target);
    }
  }
  out.state = server.state();
  if (out.state == Socks5State::closed) out.request.reset();  // a close withdraws the request
  if (out.state == Socks5State::connecting) {  // the stream opens after all bytes arrived
    server.on_stream_connected();
    const Bytes reply = server.take_output();
    FUZZ_CHECK(reply.size() == 10 && reply[1] == 0x00);
    FUZZ_CHECK(server.take_early_data().size() <= config.max_early_data_bytes);
  }
  server.on_timeout(config.handshake_timeout);
  FUZZ_CHECK(server.state() != Socks5State::greeting && server.state() != Socks5State::request);
  return out;
}

void write_socks_seeds(const char* dir) {
  const char* handshakes[][2] = {
      {"ipv4", "00" "050100" "05010001" "7f000001" "1f90"},
      {"ipv6", "07" "050100" "05010004" "00000000000000000000000000000001" "0050"},
      {"domain", "2a" "050100" "05010003" "09" "6c6f63616c686f7374" "01bb" "474554"},
      {"bind", "00" "050100" "05020001" "7f000001" "0050"},
  };
  for (const auto& [name, hex] : handshakes) fuzz::write_seed(dir, name, *from_hex(hex));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_socks_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const ByteView client(data + 1, size - 1);
  const Outcome whole = run({client});
  const Outcome cut = run(fuzz::split_chunks(client, data[0]));
  FUZZ_CHECK(whole.output == cut.output);
  FUZZ_CHECK(whole.state == cut.state);
  FUZZ_CHECK(whole.request == cut.request);
  FUZZ_CHECK(whole.output.size() <= 12 && whole.output.size() % 2 == 0);
  return 0;
}
