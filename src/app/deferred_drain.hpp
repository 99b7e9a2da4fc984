// How work that starts outside NodeRuntime's own callbacks reaches the node. A SOCKS socket's
// bytes, an exit's resolver answer or a WebRTC session's signal call into a service from their
// own callbacks; the actions that call queued (in NodeCore, in the service) must then be
// drained. They ask for it here, and the runtime's drain runs from the event loop after the
// current callback has returned (a zero-delay timer, so it is never dropped and is cancelled
// with this object), never inside it: no call into the node nests inside another, so nothing
// needs a re-entry guard. Requests coalesce; a drain that ran for another reason settles them
// (settle()), since it picks up the same queued work.
#pragma once

#include <functional>

#include "io/event_loop.hpp"

namespace zmesh::app {

class DeferredDrain {
 public:
  // `drain` must stay callable as long as this object lives.
  DeferredDrain(io::EventLoop& loop, std::function<void()> drain) : loop_(loop), drain_(std::move(drain)) {}
  ~DeferredDrain() { settle(); }
  DeferredDrain(const DeferredDrain&) = delete;
  DeferredDrain& operator=(const DeferredDrain&) = delete;

  // Runs the drain soon, from the loop; once however often it is asked before it ran.
  void request() {
    if (timer_ != 0) return;
    timer_ = loop_.run_after(0, [this] {
      timer_ = 0;
      drain_();
    });
  }
  // The drain just ran: what was asked for is done.
  void settle() {
    if (timer_ != 0) loop_.cancel(timer_);
    timer_ = 0;
  }
  bool requested() const { return timer_ != 0; }

 private:
  io::EventLoop& loop_;
  std::function<void()> drain_;
  io::EventLoop::TimerId timer_ = 0;
};

}  // namespace zmesh::app
