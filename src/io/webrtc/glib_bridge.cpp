#include "io/webrtc/glib_bridge.hpp"

#include <glib-object.h>

#include <cstdlib>
#include <utility>

namespace zmesh::io::webrtc {

GlibBridge::GlibBridge(EventLoop& loop) : loop_(loop), context_(g_main_context_new()) {
  // We are the context's owner thread for its whole life: GLib then wakes it (through its
  // wakeup fd, which is among the polled fds) when another thread adds a source.
  if (!g_main_context_acquire(context_)) std::abort();
  start_cycle();
}

GlibBridge::~GlibBridge() {
  alive_.expire();
  loop_.cancel(timer_);
  loop_.cancel(poke_timer_);
  for (auto& [fd, watch] : watches_) loop_.unwatch(watch.id);
  // Let pending asynchronous closes (nice_agent_close_async) finish what they can at once.
  prepared_ = false;
  for (int i = 0; i < 100 && g_main_context_iteration(context_, FALSE); ++i) {
  }
  for (gpointer object : to_unref_) g_object_unref(object);
  // Sources still attached (libnice's, if an agent outlived us: a bug) are destroyed with it.
  g_main_context_release(context_);
  g_main_context_unref(context_);
}

void GlibBridge::poke() {
  if (poke_timer_ != 0) return;
  poke_timer_ = loop_.run_at(0, [this] {
    poke_timer_ = 0;
    iterate();
  });
}

void GlibBridge::unref_later(gpointer object) {
  to_unref_.push_back(object);
  poke();
}

void GlibBridge::iterate(int ready_fd, IoEvents events) {
  if (iterating_) {  // a dispatch called back into us: finish the current cycle first
    poke();
    return;
  }
  iterating_ = true;
  for (gpointer object : std::exchange(to_unref_, {})) g_object_unref(object);
  LifetimeObserver alive = alive_.observer();
  finish_cycle(ready_fd, events);  // may run arbitrary callbacks, which may destroy us
  if (alive.expired()) return;
  iterating_ = false;
  start_cycle();
}

void GlibBridge::finish_cycle(int ready_fd, IoEvents events) {
  if (!prepared_) return;
  prepared_ = false;
  // GLib wants per-fd revents. epoll told us about one fd; any other ready fd gets its own
  // (level-triggered) callback and iteration, so the others stay 0 here.
  for (auto& fd : fds_) {
    fd.revents = 0;
    if (fd.fd != ready_fd) continue;
    if (events.readable) fd.revents |= fd.events & (G_IO_IN | G_IO_PRI);
    if (events.writable) fd.revents |= fd.events & G_IO_OUT;
    if (events.hangup) fd.revents |= G_IO_HUP;
    if (events.error) fd.revents |= G_IO_ERR;
  }
  if (g_main_context_check(context_, max_priority_, fds_.data(), static_cast<gint>(fds_.size()))) {
    g_main_context_dispatch(context_);
  }
}

void GlibBridge::start_cycle() {
  g_main_context_prepare(context_, &max_priority_);
  gint timeout_ms = -1;
  if (fds_.size() < 8) fds_.resize(8);
  for (;;) {
    gint needed = g_main_context_query(context_, max_priority_, &timeout_ms, fds_.data(), static_cast<gint>(fds_.size()));
    if (static_cast<std::size_t>(needed) <= fds_.size()) {
      fds_.resize(static_cast<std::size_t>(needed));
      break;
    }
    fds_.resize(static_cast<std::size_t>(needed));
  }
  for (auto& fd : fds_) fd.revents = 0;
  prepared_ = true;
  sync_watches();
  loop_.cancel(timer_);
  timer_ = 0;
  if (timeout_ms >= 0) {
    timer_ = loop_.run_after(static_cast<DurationUs>(timeout_ms) * kMillisecond, [this] {
      timer_ = 0;
      iterate();
    });
  }
}

void GlibBridge::sync_watches() {
  std::unordered_map<int, std::pair<bool, bool>> wanted;  // fd → (read, write)
  for (const auto& fd : fds_) {
    auto& w = wanted[fd.fd];
    w.first = w.first || (fd.events & (G_IO_IN | G_IO_PRI)) != 0;
    w.second = w.second || (fd.events & G_IO_OUT) != 0;
  }
  for (auto it = watches_.begin(); it != watches_.end();) {
    if (!wanted.count(it->first)) {
      loop_.unwatch(it->second.id);
      it = watches_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [fd, interest] : wanted) {
    auto existing = watches_.find(fd);
    if (existing != watches_.end()) {
      FdWatch& w = existing->second;
      if (w.read != interest.first || w.write != interest.second) {  // epoll_ctl only on change
        (void)loop_.set_interest(w.id, interest.first, interest.second);
        w.read = interest.first;
        w.write = interest.second;
      }
      continue;
    }
    int watched_fd = fd;
    auto id = loop_.watch(fd, interest.first, interest.second, [this, watched_fd](IoEvents e) { iterate(watched_fd, e); });
    if (id.ok()) watches_.emplace(fd, FdWatch{id.value(), interest.first, interest.second});
  }
}

}  // namespace zmesh::io::webrtc
