#include "io/event_loop.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <mutex>
#include <pthread.h>
#include <time.h>

#include "util/log.hpp"

namespace zmesh::io {

// Shared between the loop and every Poster: a bounded queue plus an eventfd that wakes epoll.
// The loop marks it closed when it dies, so late posts from other threads are dropped safely.
class Mailbox {
 public:
  explicit Mailbox(int event_fd) : event_fd_(event_fd) {}
  ~Mailbox() { ::close(event_fd_); }

  bool push(std::function<void()> work) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (closed_ || queue_.size() >= EventLoop::kMaxPosted) return false;
      queue_.push_back(std::move(work));
    }
    wake();
    return true;
  }
  std::deque<std::function<void()>> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    std::deque<std::function<void()>> out;
    out.swap(queue_);
    return out;
  }
  void close() {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    queue_.clear();
  }
  void wake() {
    std::uint64_t one = 1;
    // EAGAIN only when the counter is saturated, which still means "readable": nothing to do.
    [[maybe_unused]] auto n = ::write(event_fd_, &one, sizeof one);
  }
  void clear_wakeup() {
    std::uint64_t count = 0;
    [[maybe_unused]] auto n = ::read(event_fd_, &count, sizeof count);
  }
  int fd() const { return event_fd_; }

  std::atomic<bool> stop_requested{false};

 private:
  int event_fd_;
  std::mutex mutex_;
  bool closed_ = false;
  std::deque<std::function<void()>> queue_;
};

bool Poster::post(std::function<void()> work) const { return box_ && box_->push(std::move(work)); }

namespace {
Error os_error(const char* what) { return make_error(Errc::io_error, std::string(what) + ": " + std::strerror(errno)); }
constexpr int kMaxEventsPerWait = 128;
}  // namespace

Result<std::unique_ptr<EventLoop>> EventLoop::create() {
  std::unique_ptr<EventLoop> loop(new EventLoop());
  loop->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (loop->epoll_fd_ < 0) return os_error("epoll_create1");
  int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (efd < 0) return os_error("eventfd");
  loop->mailbox_ = std::make_shared<Mailbox>(efd);
  EventLoop* raw = loop.get();
  ZM_TRY(loop->mailbox_watch_, loop->watch(efd, true, false, [raw](IoEvents) {
           raw->mailbox_->clear_wakeup();
           raw->drain_posted();
         }));
  return loop;
}

EventLoop::~EventLoop() {
  destroy_doomed();  // first: their destructors may still unwatch and cancel
  if (mailbox_) mailbox_->close();
  if (signal_fd_ >= 0) ::close(signal_fd_);
  if (have_signal_mask_) ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

TimeUs EventLoop::now() const {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<TimeUs>(ts.tv_sec) * kSecond + ts.tv_nsec / 1000;
}

Now EventLoop::core_now() const {
  timespec wall{};
  ::clock_gettime(CLOCK_REALTIME, &wall);
  return Now{now(), static_cast<std::int64_t>(wall.tv_sec) * kSecond + wall.tv_nsec / 1000};
}

static std::uint32_t epoll_mask(bool want_read, bool want_write) {
  std::uint32_t mask = EPOLLRDHUP;
  if (want_read) mask |= EPOLLIN;
  if (want_write) mask |= EPOLLOUT;
  return mask;
}

Result<EventLoop::WatchId> EventLoop::watch(int fd, bool want_read, bool want_write, IoCallback callback) {
  WatchId id = next_id_++;
  epoll_event ev{};
  ev.events = epoll_mask(want_read, want_write);
  ev.data.u64 = id;  // a token, not the fd: a reused fd number can never reach a stale watch
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) return os_error("epoll_ctl(ADD)");
  watches_.emplace(id, std::make_shared<Watch>(Watch{fd, std::move(callback)}));
  return id;
}

Status EventLoop::set_interest(WatchId id, bool want_read, bool want_write) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return make_error(Errc::not_found, "unknown watch");
  epoll_event ev{};
  ev.events = epoll_mask(want_read, want_write);
  ev.data.u64 = id;
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, it->second->fd, &ev) != 0) return os_error("epoll_ctl(MOD)");
  return {};
}

void EventLoop::unwatch(WatchId id) {
  auto it = watches_.find(id);
  if (it == watches_.end()) return;
  // The fd may already be closed by its owner; EBADF/ENOENT are harmless then.
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, it->second->fd, nullptr);
  watches_.erase(it);
}

EventLoop::TimerId EventLoop::run_at(TimeUs when, Callback callback) {
  TimerId id = next_id_++;
  timers_.emplace(id, std::move(callback));
  heap_.push_back(HeapEntry{when, id});
  std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
  // Cancelled timers stay in the heap until they surface; keep the heap proportional to the
  // live timers so that code re-arming timeouts often cannot grow it without bound.
  if (heap_.size() > 1024 && heap_.size() > 4 * timers_.size()) compact_heap();
  return id;
}

bool EventLoop::cancel(TimerId id) { return timers_.erase(id) > 0; }

void EventLoop::compact_heap() {
  std::erase_if(heap_, [this](const HeapEntry& e) { return timers_.count(e.id) == 0; });
  std::make_heap(heap_.begin(), heap_.end(), std::greater<>());
}

bool EventLoop::post(Callback work) { return mailbox_->push(std::move(work)); }

void EventLoop::destroy_later(std::shared_ptr<void> doomed) {
  if (doomed) doomed_.push_back(std::move(doomed));
}

void EventLoop::destroy_doomed() {
  // A destructor may hand in more (an owner freeing a child that frees its own): keep going.
  while (!doomed_.empty()) {
    std::vector<std::shared_ptr<void>> batch;
    batch.swap(doomed_);
    for (auto& doomed : batch) doomed.reset();  // in the order they were handed in
  }
}

Poster EventLoop::poster() const {
  Poster p;
  p.box_ = mailbox_;
  return p;
}

void EventLoop::stop() {
  mailbox_->stop_requested.store(true);
  mailbox_->wake();
}

bool EventLoop::stopped() const { return mailbox_->stop_requested.load(); }

Status EventLoop::stop_on_signals(std::initializer_list<int> signals, std::function<void(int)> on_signal) {
  if (signal_fd_ >= 0) return make_error(Errc::invalid_argument, "signals already handled");
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : signals) sigaddset(&mask, s);
  // signalfd only sees signals that are blocked (signalfd(2)); keep the old mask to restore.
  if (::pthread_sigmask(SIG_BLOCK, &mask, &old_mask_) != 0) return make_error(Errc::io_error, "pthread_sigmask failed");
  have_signal_mask_ = true;
  signal_fd_ = ::signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) return os_error("signalfd");
  on_signal_ = std::move(on_signal);
  ZM_TRY(signal_watch_, watch(signal_fd_, true, false, [this](IoEvents) { handle_signals(); }));
  return {};
}

void EventLoop::handle_signals() {
  signalfd_siginfo info{};
  while (::read(signal_fd_, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
    int signo = static_cast<int>(info.ssi_signo);
    log::info("io", std::string("received signal ") + ::strsignal(signo));
    if (on_signal_) {
      on_signal_(signo);
    } else {
      stop();
    }
  }
}

int EventLoop::wait_timeout_ms(DurationUs max_wait) const {
  DurationUs wait = std::max<DurationUs>(0, max_wait);
  if (!heap_.empty()) wait = std::min(wait, std::max<DurationUs>(0, heap_.front().when - now()));
  // Round up: waking a little late is fine, spinning on a not-yet-due timer is not.
  DurationUs ms = (wait + kMillisecond - 1) / kMillisecond;
  return static_cast<int>(std::min<DurationUs>(ms, 60 * 1000));
}

void EventLoop::run_once(DurationUs max_wait) {
  epoll_event events[kMaxEventsPerWait];
  destroy_doomed();  // handed in outside a callback (before run_once)
  int timeout_ms = stopped() ? 0 : wait_timeout_ms(max_wait);
  int n = ::epoll_wait(epoll_fd_, events, kMaxEventsPerWait, timeout_ms);
  if (n < 0 && errno != EINTR) log::error("io", std::string("epoll_wait: ") + std::strerror(errno));
  for (int i = 0; i < n; ++i) {
    auto it = watches_.find(events[i].data.u64);
    if (it == watches_.end()) continue;  // unwatched earlier in this batch
    std::shared_ptr<Watch> keep = it->second;  // the callback may unwatch itself
    std::uint32_t e = events[i].events;
    IoEvents io{(e & EPOLLIN) != 0, (e & EPOLLOUT) != 0, (e & (EPOLLHUP | EPOLLRDHUP)) != 0, (e & EPOLLERR) != 0};
    keep->callback(io);
    destroy_doomed();
  }
  run_due_timers();
}

void EventLoop::run_due_timers() {
  TimeUs current = now();
  // Only timers due at entry run now; ones armed by these callbacks wait for the next turn.
  while (!heap_.empty() && heap_.front().when <= current) {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    TimerId id = heap_.back().id;
    heap_.pop_back();
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;
    Callback cb = std::move(it->second);
    timers_.erase(it);
    cb();
    destroy_doomed();
  }
}

void EventLoop::drain_posted() {
  auto work = mailbox_->take();
  for (auto& fn : work) {
    fn();
    destroy_doomed();
  }
}

void EventLoop::run() {
  while (!stopped()) run_once(60 * kSecond);
}

bool EventLoop::run_until(const std::function<bool()>& done, DurationUs timeout) {
  TimeUs deadline = now() + timeout;
  while (!done()) {
    TimeUs current = now();
    if (current >= deadline || stopped()) return done();
    run_once(std::min<DurationUs>(deadline - current, 50 * kMillisecond));
  }
  return true;
}

}  // namespace zmesh::io
