// OnionService: the application's stream calls, passed to the StreamRouter; each ends with the
// pass that sends what it produced.
#include "node/onion_service.hpp"

namespace zmesh::node {

using onion::StreamError;

Result<StreamKey> OnionService::open_stream(Now now, const onion::StreamTarget& target) {
  ZM_TRY(const StreamKey key, router_.open(now, target, [this] { return pick_circuit(); }));
  run(now);  // builds a circuit when none is ready
  return key;
}

Status OnionService::accept_stream(Now now, StreamKey stream) {
  ZM_CHECK(router_.accept(stream));
  run(now);
  return {};
}

Status OnionService::refuse_stream(Now now, StreamKey stream, StreamError reason) {
  ZM_CHECK(router_.refuse(stream, reason));
  run(now);
  return {};
}

Result<std::size_t> OnionService::write(Now now, StreamKey stream, ByteView data) {
  ZM_TRY(const std::size_t taken, router_.write(stream, data));
  run(now);
  return taken;
}

Result<std::size_t> OnionService::read(Now now, StreamKey stream, MutableByteView out) {
  ZM_TRY(const std::size_t n, router_.read(stream, out));
  run(now);
  return n;
}

Status OnionService::finish(Now now, StreamKey stream) {
  ZM_CHECK(router_.finish(stream));
  run(now);
  return {};
}

Status OnionService::reset(Now now, StreamKey stream, StreamError reason) {
  ZM_CHECK(router_.reset(now, stream, reason));
  run(now);
  return {};
}

std::size_t OnionService::writable_bytes(StreamKey stream) const { return router_.writable_bytes(stream); }
std::size_t OnionService::readable_bytes(StreamKey stream) const { return router_.readable_bytes(stream); }
bool OnionService::at_eof(StreamKey stream) const { return router_.at_eof(stream); }
std::optional<OnionStreamEvent> OnionService::poll_stream_event() { return router_.poll_event(); }

}  // namespace zmesh::node
