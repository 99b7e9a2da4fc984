// Knowing, inside a callback, whether the object that armed it still exists. An object that
// hands `this` to code that may call back later (a timer, a resolver thread's reply, a child
// that reports to its owner, a user callback that may destroy us) owns a LifetimeGuard; the
// callback captures an observer() and returns early once it is expired().
//
//   class Dial {
//     LifetimeGuard alive_;  // declared last: expires before the other members go
//     void start() { lookup(name, [this, alive = alive_.observer()](auto r) { if (!alive.expired()) done(r); }); }
//     ~Dial() { alive_.expire(); }  // optional: callbacks fired by the destructor body see it too
//   };
//
// Also for "did the callback I just called destroy me?": take an observer, call out, check.
// Single-threaded like the event loop: observers are checked on the thread that owns the guard
// (they stay safe to copy and destroy anywhere).
#pragma once

#include <memory>

namespace zmesh {

class LifetimeObserver {
 public:
  LifetimeObserver() = default;  // observes nothing: always expired
  // True once the guard is destroyed or expire()d.
  bool expired() const { return token_.expired(); }

 private:
  friend class LifetimeGuard;
  explicit LifetimeObserver(std::weak_ptr<const char> token) : token_(std::move(token)) {}
  std::weak_ptr<const char> token_;
};

class LifetimeGuard {
 public:
  LifetimeGuard() = default;
  ~LifetimeGuard() = default;  // expires every observer
  // The guard is the owner's identity: a copy or a moved-to owner is another object.
  LifetimeGuard(const LifetimeGuard&) = delete;
  LifetimeGuard& operator=(const LifetimeGuard&) = delete;

  LifetimeObserver observer() const { return LifetimeObserver(token_); }
  // Expires every observer now (first thing in a destructor whose body may trigger callbacks).
  // Observers taken afterwards are expired too.
  void expire() { token_.reset(); }
  bool expired() const { return token_ == nullptr; }

 private:
  std::shared_ptr<const char> token_ = std::make_shared<const char>('\0');
};

}  // namespace zmesh
