#include "onion/stream_bridge.hpp"

#include <cstdlib>

namespace zmesh::onion {

StreamBridge::StreamBridge(StreamBridgeConfig config) : config_(config), to_socket_(config_.read_chunk_bytes) {
  if (config_.read_chunk_bytes == 0) std::abort();  // programming error
}

// --- socket side ---

void StreamBridge::on_socket_data(ByteView bytes) {
  if (socket_done_ || stream_done_ || finish_sent_) return;  // nobody can take them any more
  to_stream_.append(bytes);
}

void StreamBridge::on_socket_writable() { socket_blocked_ = false; }

void StreamBridge::on_socket_eof() {
  if (socket_done_) return;
  socket_done_ = true;
  socket_eof_ = true;
  to_socket_bytes_ = 0;  // nobody is left to read them
}

void StreamBridge::on_socket_error() {
  if (socket_done_) return;
  socket_done_ = true;
  to_socket_bytes_ = 0;
  to_stream_.consume(to_stream_.size());
  if (!stream_done_) reset_wanted_ = StreamError::connection_reset;
}

// --- stream side ---

void StreamBridge::on_stream_event(StreamEventKind kind) {
  if (stream_done_) return;
  switch (kind) {
    case StreamEventKind::writable: stream_blocked_ = false; break;
    case StreamEventKind::readable:
    case StreamEventKind::peer_finished: stream_readable_ = true; break;
    case StreamEventKind::closed:
      stream_done_ = true;
      close_wanted_ = true;  // after the chunk still held for the socket
      break;
    case StreamEventKind::reset:
    case StreamEventKind::open_failed:
      stream_done_ = true;
      abort_wanted_ = true;
      to_socket_bytes_ = 0;
      break;
    case StreamEventKind::incoming:
    case StreamEventKind::connected: break;
  }
  if (stream_done_) to_stream_.consume(to_stream_.size());
}

// --- actions ---

std::optional<BridgeAction> StreamBridge::poll_action() {
  if (awaiting_ != Awaiting::nothing) std::abort();  // the driver skipped an answer: programming error
  if (finished_reported_) return std::nullopt;
  if (auto action = next_stream_action()) return action;
  if (auto action = next_socket_action()) return action;
  // Read only once the previous chunk went out: one chunk of the stream is held at most.
  const bool socket_takes = socket_done_ || (socket_writing_allowed() && !socket_blocked_);
  if (!stream_done_ && stream_readable_ && !stream_at_eof_ && to_socket_bytes_ == 0 && socket_takes) {
    awaiting_ = Awaiting::stream_read;
    return bridge::ReadFromStream{MutableByteView(to_socket_.data(), to_socket_.size())};
  }
  if (stream_done_ && socket_done_) {
    finished_reported_ = true;
    return bridge::Finished{};
  }
  return std::nullopt;
}

std::optional<BridgeAction> StreamBridge::next_stream_action() {
  if (stream_done_) return std::nullopt;
  if (reset_wanted_) {
    stream_done_ = true;
    to_stream_.consume(to_stream_.size());
    return bridge::ResetStream{*reset_wanted_};
  }
  if (finish_sent_) return std::nullopt;
  if (!to_stream_.empty() && !stream_blocked_) {
    awaiting_ = Awaiting::stream_write;
    return bridge::WriteToStream{to_stream_.front(to_stream_.size())};
  }
  if (socket_eof_ && to_stream_.empty()) {
    finish_sent_ = true;
    awaiting_ = Awaiting::stream_finish;
    return bridge::FinishStream{};
  }
  return std::nullopt;
}

std::optional<BridgeAction> StreamBridge::next_socket_action() {
  if (socket_done_) return std::nullopt;
  if (abort_wanted_) {
    abort_wanted_ = false;
    close_sent_ = true;  // an abort overrides a flushing close already asked for
    return bridge::CloseSocket{true};
  }
  if (close_sent_) return std::nullopt;
  if (to_socket_bytes_ > 0 && !socket_blocked_) {
    awaiting_ = Awaiting::socket_write;
    return bridge::WriteToSocket{ByteView(to_socket_.data(), to_socket_bytes_)};
  }
  if (to_socket_bytes_ == 0 && (close_wanted_ || stream_at_eof_)) {
    close_sent_ = true;
    return bridge::CloseSocket{false};
  }
  // Paused exactly while socket bytes wait for the stream; once the stream takes no more bytes
  // (finished or done) the socket is closing anyway and stays as it is.
  if (!stream_done_ && !finish_sent_ && socket_paused_ != !to_stream_.empty()) {
    socket_paused_ = !to_stream_.empty();
    return bridge::PauseSocket{socket_paused_};
  }
  return std::nullopt;
}

void StreamBridge::expect(Awaiting answer) {
  if (awaiting_ != answer) std::abort();  // an answer to a question not asked: programming error
  awaiting_ = Awaiting::nothing;
}

void StreamBridge::on_stream_took(std::size_t bytes) {
  expect(Awaiting::stream_write);
  if (bytes > to_stream_.size()) std::abort();
  to_stream_.consume(bytes);
  bytes_to_stream_ += bytes;
  // Cut short: the stream's window is full, and it says `writable` when it opens again.
  if (!to_stream_.empty()) stream_blocked_ = true;
}

void StreamBridge::on_stream_read(std::size_t bytes, bool at_eof) {
  expect(Awaiting::stream_read);
  if (bytes > to_socket_.size()) std::abort();
  if (bytes == 0) stream_readable_ = false;  // the mux sends `readable` once more arrives
  stream_at_eof_ = at_eof;
  // With the socket gone the bytes are dropped, so that the stream can still end in order.
  to_socket_bytes_ = socket_done_ ? 0 : bytes;
}

void StreamBridge::on_socket_took(bool accepted) {
  expect(Awaiting::socket_write);
  if (accepted) {
    bytes_to_socket_ += to_socket_bytes_;
    to_socket_bytes_ = 0;
  } else {
    socket_blocked_ = true;  // at the high-water mark: the socket says writable when it drained
  }
}

void StreamBridge::on_stream_finish_result(bool ok) {
  expect(Awaiting::stream_finish);
  if (!ok) reset_wanted_ = StreamError::connection_reset;
}

}  // namespace zmesh::onion
