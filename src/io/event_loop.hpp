// The native driver's event loop: one thread, epoll(7) for file descriptors, a min-heap of
// timers on CLOCK_MONOTONIC, an eventfd(2) mailbox for work handed in from other threads and a
// signalfd(2) for SIGINT/SIGTERM. It knows nothing about protocols; cores get `now()` from it.
//
// Re-entrancy rules: every callback runs on the loop thread; a callback may watch/unwatch fds,
// arm/cancel timers and destroy the objects that registered it. An unwatched fd or a cancelled
// timer never calls back again, even if its event was already collected in the same batch.
#pragma once

#include <csignal>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <unordered_map>
#include <vector>

#include "runtime/time.hpp"
#include "util/result.hpp"

namespace zmesh::io {

struct IoEvents {
  bool readable = false;
  bool writable = false;
  bool hangup = false;  // EPOLLHUP / EPOLLRDHUP: the peer is gone or shut down its side
  bool error = false;   // EPOLLERR: read SO_ERROR for the cause
};

class Mailbox;

// A thread-safe handle for handing work to a loop. It stays valid after the loop is destroyed;
// work posted then is dropped (post returns false). Copyable.
class Poster {
 public:
  bool post(std::function<void()> work) const;

 private:
  friend class EventLoop;
  std::shared_ptr<Mailbox> box_;
};

class EventLoop {
 public:
  using Callback = std::function<void()>;
  using IoCallback = std::function<void(IoEvents)>;
  using WatchId = std::uint64_t;  // 0 is never a valid id
  using TimerId = std::uint64_t;  // 0 is never a valid id

  // Bounds: at most this many queued posts (post() beyond it drops and returns false).
  static constexpr std::size_t kMaxPosted = 65536;

  static Result<std::unique_ptr<EventLoop>> create();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Monotonic microseconds (CLOCK_MONOTONIC): timers and deadlines.
  TimeUs now() const;
  // What every event into a core carries (runtime/time.hpp): now() and the system's wall clock
  // (CLOCK_REALTIME), read together.
  Now core_now() const;

  // Registers fd (not owned) for readiness callbacks, level-triggered.
  Result<WatchId> watch(int fd, bool want_read, bool want_write, IoCallback callback);
  Status set_interest(WatchId id, bool want_read, bool want_write);
  // Safe from inside any callback, including the watch's own. Unknown ids are ignored.
  void unwatch(WatchId id);

  TimerId run_at(TimeUs when, Callback callback);
  TimerId run_after(DurationUs delay, Callback callback) { return run_at(now() + delay, std::move(callback)); }
  // false if the timer already fired or was cancelled.
  bool cancel(TimerId id);

  // From any thread. false when the queue is full (the work is dropped).
  bool post(Callback work);
  Poster poster() const;

  // Loop thread only. Destroys `doomed` after the callback that is running returns (or, called
  // outside any callback, at the end of the next loop iteration): for an object whose own
  // callback is on the stack, e.g. a dial attempt reporting its result. Never drops: unlike
  // post(), it has no queue limit, and the loop's destructor destroys what is still pending.
  template <class T, class D>
  void destroy_later(std::unique_ptr<T, D> doomed) {
    if (doomed) destroy_later(std::shared_ptr<void>(std::move(doomed)));
  }
  void destroy_later(std::shared_ptr<void> doomed);
  std::size_t pending_destroys() const { return doomed_.size(); }

  // From any thread: run() returns after the current iteration.
  void stop();
  bool stopped() const;

  // Blocks the given signals in the calling thread (call before starting other threads, so they
  // inherit the mask) and delivers them through a signalfd. Default action: stop().
  Status stop_on_signals(std::initializer_list<int> signals = {SIGINT, SIGTERM},
                         std::function<void(int)> on_signal = {});

  // Runs until stop().
  void run();
  // Runs until done() is true or the timeout passes; returns done(). For tests and shutdown.
  bool run_until(const std::function<bool()>& done, DurationUs timeout);
  // Waits at most max_wait for events, then dispatches ready fds, due timers and posts once.
  void run_once(DurationUs max_wait);

  std::size_t watch_count() const { return watches_.size(); }
  std::size_t timer_count() const { return timers_.size(); }

 private:
  struct Watch {
    int fd = -1;
    IoCallback callback;
  };
  struct HeapEntry {
    TimeUs when;
    TimerId id;
    bool operator>(const HeapEntry& other) const {
      return when != other.when ? when > other.when : id > other.id;
    }
  };

  EventLoop() = default;
  void run_due_timers();
  void drain_posted();
  void handle_signals();
  void compact_heap();
  void destroy_doomed();
  int wait_timeout_ms(DurationUs max_wait) const;

  int epoll_fd_ = -1;
  int signal_fd_ = -1;
  WatchId signal_watch_ = 0;
  WatchId mailbox_watch_ = 0;
  std::function<void(int)> on_signal_;
  std::shared_ptr<Mailbox> mailbox_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<WatchId, std::shared_ptr<Watch>> watches_;
  std::unordered_map<TimerId, Callback> timers_;
  std::vector<HeapEntry> heap_;  // std::push_heap with greater<>: min-heap; stale ids skipped
  std::vector<std::shared_ptr<void>> doomed_;  // destroy_later(), emptied after each callback
  bool have_signal_mask_ = false;
  sigset_t old_mask_{};
};

}  // namespace zmesh::io
