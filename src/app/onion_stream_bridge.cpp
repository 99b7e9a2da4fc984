#include "app/onion_stream_bridge.hpp"

namespace zmesh::app {
namespace {

constexpr std::size_t kSocketHighWaterBytes = 256 * 1024;  // well below TcpStream's 1 MiB limit
constexpr std::size_t kReadChunkBytes = 16 * 1024;

}  // namespace

io::StreamOptions bridged_socket_options() {
  io::StreamOptions options;
  options.read_after_hangup_while_paused = true;
  return options;
}

using onion::StreamError;
using onion::StreamEventKind;

OnionStreamBridge::OnionStreamBridge(node::OnionService& service, node::StreamKey stream,
                                     std::unique_ptr<io::TcpStream> socket, std::function<void()> pump,
                                     std::function<void()> finished)
    : service_(service),
      stream_(stream),
      socket_(std::move(socket)),
      pump_(std::move(pump)),
      finished_(std::move(finished)),
      loop_(socket_->loop()) {}

OnionStreamBridge::~OnionStreamBridge() {
  if (!stream_done_) (void)service_.reset(loop_.core_now(), stream_, StreamError::aborted);
}

void OnionStreamBridge::start(Bytes early) {
  pending_ = std::move(early);
  socket_->on_data([this](ByteView bytes) {
    pending_.insert(pending_.end(), bytes.begin(), bytes.end());
    push_to_stream();
  });
  socket_->on_close([this](const io::CloseReason& reason) { on_socket_closed(reason); });
  socket_->on_writable([this] { pull_from_stream(); });
  push_to_stream();
  pull_from_stream();
}

void OnionStreamBridge::on_stream_event(const node::OnionStreamEvent& event) {
  switch (event.kind) {
    case StreamEventKind::writable: push_to_stream(); break;
    case StreamEventKind::readable:
    case StreamEventKind::peer_finished: pull_from_stream(); break;
    case StreamEventKind::closed:
      stream_done_ = true;
      close_socket(false);
      break;
    case StreamEventKind::reset:
    case StreamEventKind::open_failed:
      stream_done_ = true;
      close_socket(true);
      break;
    case StreamEventKind::incoming:
    case StreamEventKind::connected: break;
  }
  check_finished();
}

void OnionStreamBridge::push_to_stream() {
  if (stream_done_ || stream_finished_) return;
  const Now now = loop_.core_now();
  if (!pending_.empty()) {
    auto taken = service_.write(now, stream_, pending_);
    if (taken.ok() && *taken > 0) {
      to_stream_ += *taken;
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(*taken));
    }
  }
  if (socket_ && !socket_done_) socket_->set_receive_paused(!pending_.empty());
  if (socket_eof_ && pending_.empty()) {
    stream_finished_ = true;
    if (!service_.finish(now, stream_).ok()) (void)service_.reset(now, stream_, StreamError::connection_reset);
  }
  pump_();
}

void OnionStreamBridge::pull_from_stream() {
  if (stream_done_) return;
  const Now now = loop_.core_now();
  std::uint8_t buffer[kReadChunkBytes];
  while (socket_done_ || socket_->buffered_bytes() < kSocketHighWaterBytes) {
    auto n = service_.read(now, stream_, MutableByteView(buffer, sizeof buffer));
    if (!n.ok() || *n == 0) break;
    if (socket_done_) continue;  // the socket is gone: drain so that the stream can end
    if (!socket_->write(ByteView(buffer, *n)).ok()) break;
    to_socket_ += *n;
  }
  if (!socket_done_ && service_.at_eof(stream_)) close_socket(false);
  pump_();
}

void OnionStreamBridge::on_socket_closed(const io::CloseReason& reason) {
  socket_done_ = true;
  if (!stream_done_) {
    if (reason.kind == io::CloseKind::peer_closed || reason.kind == io::CloseKind::local) {
      socket_eof_ = true;
      push_to_stream();
      pull_from_stream();  // discards what still arrives: nobody is left to read it
    } else {
      stream_done_ = true;
      (void)service_.reset(loop_.core_now(), stream_, StreamError::connection_reset);
      pump_();
    }
  }
  check_finished();
}

void OnionStreamBridge::close_socket(bool abort) {
  if (socket_done_ || !socket_) return;
  if (abort) {
    socket_->abort(io::CloseReason{io::CloseKind::reset, "stream reset"});
  } else if (socket_->is_open()) {
    socket_->close();  // flushes what was written, then FIN
  }
}

void OnionStreamBridge::check_finished() {
  if (reported_ || !stream_done_ || !socket_done_) return;
  reported_ = true;
  if (finished_) finished_();
}

}  // namespace zmesh::app
