#include "app/onion_stream_bridge.hpp"

namespace zmesh::app {

namespace bridge = onion::bridge;

io::StreamOptions bridged_socket_options() {
  io::StreamOptions options;
  options.send_buffer_bytes = onion::kBridgedSocketHighWaterBytes;
  options.read_after_hangup_while_paused = true;
  return options;
}

OnionStreamBridge::OnionStreamBridge(node::OnionService& service, node::StreamKey stream,
                                     std::unique_ptr<io::TcpStream> socket, DeferredDrain& drain,
                                     std::function<void()> finished)
    : service_(service),
      stream_(stream),
      socket_(std::move(socket)),
      drain_(drain),
      finished_(std::move(finished)),
      loop_(socket_->loop()) {}

OnionStreamBridge::~OnionStreamBridge() {
  if (!bridge_.stream_done()) (void)service_.reset(loop_.core_now(), stream_, onion::StreamError::aborted);
}

void OnionStreamBridge::start(Bytes early) {
  socket_->on_data([this](ByteView bytes) {
    bridge_.on_socket_data(bytes);
    after_socket_event();
  });
  socket_->on_close([this](const io::CloseReason& reason) {
    // Our own flushing close ends as `local`; the peer's FIN as peer_closed: both in order.
    if (reason.kind == io::CloseKind::peer_closed || reason.kind == io::CloseKind::local) {
      bridge_.on_socket_eof();
    } else {
      bridge_.on_socket_error();
    }
    after_socket_event();
  });
  socket_->on_writable([this] {
    bridge_.on_socket_writable();
    after_socket_event();
  });
  if (!early.empty()) bridge_.on_socket_data(early);
  execute_actions();
}

void OnionStreamBridge::on_stream_event(const node::OnionStreamEvent& event) {
  bridge_.on_stream_event(event.kind);
  execute_actions();
}

void OnionStreamBridge::after_socket_event() {
  execute_actions();
  drain_.request();
}

void OnionStreamBridge::execute_actions() {
  const Now now = loop_.core_now();
  while (auto action = bridge_.poll_action()) execute(*action, now);
}

void OnionStreamBridge::execute(onion::BridgeAction& action, Now now) {
  if (auto* write = std::get_if<bridge::WriteToStream>(&action)) {
    auto took = service_.write(now, stream_, write->bytes);
    bridge_.on_stream_took(took.ok() ? *took : 0);  // an error: the stream's reset event follows
  } else if (auto* read = std::get_if<bridge::ReadFromStream>(&action)) {
    auto n = service_.read(now, stream_, read->into);
    bridge_.on_stream_read(n.ok() ? *n : 0, service_.at_eof(stream_));
  } else if (std::holds_alternative<bridge::FinishStream>(action)) {
    bridge_.on_stream_finish_result(service_.finish(now, stream_).ok());
  } else if (auto* reset = std::get_if<bridge::ResetStream>(&action)) {
    (void)service_.reset(now, stream_, reset->error);
  } else if (auto* write_socket = std::get_if<bridge::WriteToSocket>(&action)) {
    bridge_.on_socket_took(socket_->write(write_socket->bytes).ok());
  } else if (auto* pause = std::get_if<bridge::PauseSocket>(&action)) {
    socket_->set_receive_paused(pause->paused);
  } else if (auto* close = std::get_if<bridge::CloseSocket>(&action)) {
    if (close->abort) {
      socket_->abort(io::CloseReason{io::CloseKind::reset, "stream reset"});
    } else if (socket_->is_open()) {
      socket_->close();  // flushes what was written, then FIN; on_close reports `local`
    }
  } else if (std::holds_alternative<bridge::Finished>(action)) {
    if (finished_) finished_();
  }
}

}  // namespace zmesh::app
