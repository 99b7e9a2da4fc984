// usrsctp is a process-wide library: one init, one set of timers, one output callback. This
// owns that global state. It runs usrsctp without its own threads (usrsctp_init_nothreads) and
// drives usrsctp_handle_timers from the event loop of the transports that use it, so every
// usrsctp callback happens on that loop's thread. Consequence: all SCTP transports alive at the
// same time must share one EventLoop (the node has one).
#pragma once

#include <memory>
#include <unordered_set>

#include "io/event_loop.hpp"
#include "util/result.hpp"

namespace zmesh::io::webrtc {

class SctpTransport;

class UsrsctpRuntime {
 public:
  // Errc::invalid_argument if transports on another loop are alive.
  static Result<std::shared_ptr<UsrsctpRuntime>> acquire(EventLoop& loop);
  ~UsrsctpRuntime();

  void add(SctpTransport* transport);
  void remove(SctpTransport* transport);
  bool alive(SctpTransport* transport) const { return transports_.count(transport) != 0; }

  static constexpr DurationUs kTick = 10 * kMillisecond;

 private:
  explicit UsrsctpRuntime(EventLoop& loop);
  void tick();

  EventLoop& loop_;
  EventLoop::TimerId timer_ = 0;
  TimeUs last_tick_ = 0;
  std::unordered_set<SctpTransport*> transports_;
};

}  // namespace zmesh::io::webrtc
