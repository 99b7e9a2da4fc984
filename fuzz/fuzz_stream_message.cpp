// The stream layer on arbitrary bytes (src/onion/stream_message.hpp, stream_mux.hpp):
//  1. the whole input as one relay message: decoding never crashes, and whatever decodes
//     re-encodes to exactly the input (one encoding per message);
//  2. the input as a sequence of relay messages (each: length byte, bytes) fed to an exit mux
//     with an open stream and to a client mux with two streams: the muxes never crash, keep
//     their memory within bound, only emit well-formed messages no longer than the circuit
//     allows, and once failed stay failed.
// Seeds: ZMESH_FUZZ_WRITE_SEEDS=DIR writes one message of each type and a short conversation.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.hpp"
#include "onion/stream_mux.hpp"
#include "seed_writer.hpp"

namespace {

using namespace zmesh;
using namespace zmesh::onion;

constexpr std::size_t kMaxMessage = 925;

StreamMuxConfig small_config() {
  StreamMuxConfig c;
  c.max_streams = 4;
  c.stream_window_bytes = 4096;
  c.stream_send_buffer_bytes = 1024;
  c.circuit_window_messages = 8;
  c.max_pending_events = 64;
  return c;
}

// Drains a mux as a driver would, checking what it produces.
void drain(StreamMux& mux) {
  while (auto m = mux.poll_circuit_message()) {
    FUZZ_CHECK(m->size() <= kMaxMessage);
    FUZZ_CHECK(decode_stream_message(*m).ok());
  }
  std::uint8_t sink[512];
  while (auto e = mux.poll_event()) {
    if (e->kind == StreamEventKind::incoming) {
      FUZZ_CHECK(e->target.check().ok());
      if (e->stream % 2 == 0) (void)mux.accept_stream(e->stream);
      else (void)mux.refuse_stream(e->stream, StreamError::exit_policy);
    }
    if (e->kind == StreamEventKind::readable) (void)mux.read(e->stream, sink);
  }
  FUZZ_CHECK(mux.buffered_bytes() <= mux.buffered_bytes_bound());
}

void feed(StreamMux& mux, const std::uint8_t* data, std::size_t size) {
  TimeUs now = 0;
  std::size_t i = 0;
  while (i < size) {
    const std::size_t n = std::min<std::size_t>(data[i], size - i - 1);
    const bool was_failed = mux.failed();
    const Status s = mux.on_circuit_message(now, zmesh::ByteView(data + i + 1, n));
    FUZZ_CHECK(!was_failed || !s.ok());
    FUZZ_CHECK(s.ok() || mux.failed());
    i += 1 + n;
    now += 10 * kMillisecond;
    if (mux.next_deadline() <= now) mux.on_timeout(now);
    drain(mux);
  }
}

Bytes message(StreamCommand command, StreamId id, std::uint32_t window = 0, StreamError reason = StreamError::none,
              ByteView data = {}) {
  StreamMessage m = StreamMessage::make(command, id);
  m.window = window;
  m.reason = reason;
  m.data = data;
  m.target = StreamTarget::to_domain("example.org", 80);
  return encode_stream_message(m);
}

void write_stream_seeds(const char* dir) {
  const Bytes hello = {'h', 'e', 'l', 'l', 'o'};
  const Bytes samples[] = {
      message(StreamCommand::begin, 2, 4096),
      message(StreamCommand::connected, 1, 4096),
      message(StreamCommand::begin_failed, 1, 0, StreamError::exit_policy),
      message(StreamCommand::data, 2, 0, StreamError::none, hello),
      message(StreamCommand::end, 2),
      message(StreamCommand::reset, 2, 0, StreamError::connection_reset),
      message(StreamCommand::sendme, 0, 64),
  };
  Bytes conversation;
  for (const Bytes& m : samples) {
    fuzz::write_seed(dir, stream_command_name(static_cast<StreamCommand>(m[0])) + std::string(m[2] == 0 ? "_circuit" : ""), m);
    conversation.push_back(static_cast<std::uint8_t>(m.size()));
    append(conversation, m);
  }
  fuzz::write_seed(dir, "conversation", conversation);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fuzz::write_seeds_if_asked(write_stream_seeds);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const zmesh::ByteView input(data, size);
  auto decoded = decode_stream_message(input);
  if (decoded.ok()) {
    const Bytes again = encode_stream_message(*decoded);
    FUZZ_CHECK(Bytes(input.begin(), input.end()) == again);
  }

  // An exit whose peer opened stream 2 (accepted, so DATA is allowed) and got our credit.
  StreamMux exit(StreamMuxRole::exit, kMaxMessage, small_config());
  (void)exit.on_circuit_message(0, message(StreamCommand::sendme, 0, 64));
  (void)exit.on_circuit_message(0, message(StreamCommand::begin, 2, 4096));
  drain(exit);
  feed(exit, data, size);

  // A client with two streams waiting for the exit's answer, one of them with data queued.
  StreamMux client(StreamMuxRole::client, kMaxMessage, small_config());
  (void)client.open_stream(0, StreamTarget::to_domain("example.org", 80));
  auto second = client.open_stream(0, StreamTarget::to_ip(IpAddress::v4(127, 0, 0, 1), 8080));
  FUZZ_CHECK(second.ok());
  const std::uint8_t payload[100] = {};
  FUZZ_CHECK(client.write(*second, payload).ok());
  drain(client);
  feed(client, data, size);
  return 0;
}
