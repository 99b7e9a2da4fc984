// Runs a GLib main context (libnice's home: its sockets and timers are GSources) inside our
// epoll EventLoop, on the loop thread, with no extra thread: every iteration does GLib's own
// prepare → query → (our epoll stands in for poll) → check → dispatch cycle. The fds GLib asks
// for are mirrored as loop watches and its next timeout as a loop timer.
//
// Why not a dedicated GLib thread with a hand-off: libnice, DTLS and SCTP would then live on two
// threads and every datagram would cross a queue; on one thread the stack needs no locks, a
// packet goes from socket to SCTP in one call chain, and timers stay on the loop's clock.
//
// Anything that adds GLib sources from outside a dispatch (libnice calls made by our code) must
// call poke() so that the next iteration re-queries the context.
#pragma once

#include <glib.h>

#include <memory>
#include <unordered_map>
#include <vector>

#include "io/event_loop.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io::webrtc {

class GlibBridge {
 public:
  explicit GlibBridge(EventLoop& loop);
  ~GlibBridge();
  GlibBridge(const GlibBridge&) = delete;
  GlibBridge& operator=(const GlibBridge&) = delete;

  GMainContext* context() const { return context_; }
  EventLoop& loop() const { return loop_; }
  // Schedules an iteration on the loop soon (coalesced).
  void poke();
  // g_object_unref()s `object` at the start of the next iteration, outside any GLib dispatch:
  // for owners destroyed from inside one of the object's own callbacks (a NiceAgent).
  void unref_later(gpointer object);

 private:
  // `ready_fd`/`events`: what epoll reported (-1: a timer or a poke).
  void iterate(int ready_fd = -1, IoEvents events = {});
  void finish_cycle(int ready_fd, IoEvents events);
  void start_cycle();
  void sync_watches();

  EventLoop& loop_;
  GMainContext* context_;
  bool prepared_ = false;
  gint max_priority_ = 0;
  std::vector<GPollFD> fds_;
  struct FdWatch {
    EventLoop::WatchId id = 0;
    bool read = false, write = false;
  };
  std::unordered_map<int, FdWatch> watches_;
  EventLoop::TimerId timer_ = 0;
  EventLoop::TimerId poke_timer_ = 0;
  bool iterating_ = false;
  std::vector<gpointer> to_unref_;
  LifetimeGuard alive_;
};

}  // namespace zmesh::io::webrtc
