// util/lifetime: observers see the guard's end, whether by destruction or expire().
#include "util/lifetime.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <vector>

namespace zmesh {
namespace {

TEST(Lifetime, ObserversExpireWithTheGuard) {
  LifetimeObserver observer;
  EXPECT_TRUE(observer.expired());  // default: observes nothing
  {
    LifetimeGuard guard;
    observer = guard.observer();
    LifetimeObserver copy = observer;
    EXPECT_FALSE(observer.expired());
    EXPECT_FALSE(copy.expired());
    EXPECT_FALSE(guard.expired());
  }
  EXPECT_TRUE(observer.expired());
}

TEST(Lifetime, ExpireEndsObservationEarly) {
  LifetimeGuard guard;
  const LifetimeObserver before = guard.observer();
  guard.expire();
  EXPECT_TRUE(before.expired());
  EXPECT_TRUE(guard.expired());
  EXPECT_TRUE(guard.observer().expired());  // no way back
  guard.expire();                            // idempotent
}

// The pattern the drivers use: a callback that destroys its caller's owner.
class Reporter {
 public:
  std::function<void()> on_event;
  int handle_events(int count) {
    LifetimeObserver alive = alive_.observer();
    int handled = 0;
    for (int i = 0; i < count; ++i) {
      on_event();
      if (alive.expired()) return handled;  // we are gone: touch nothing
      ++handled;
    }
    return handled;
  }

 private:
  LifetimeGuard alive_;
};

TEST(Lifetime, DetectsDestructionInsideACallback) {
  auto reporter = std::make_unique<Reporter>();
  int calls = 0;
  Reporter* raw = reporter.get();
  raw->on_event = [&] {
    if (++calls == 3) reporter.reset();
  };
  EXPECT_EQ(raw->handle_events(10), 2);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(reporter, nullptr);
}

TEST(Lifetime, ManyIndependentGuards) {
  std::vector<std::unique_ptr<LifetimeGuard>> guards;
  std::vector<LifetimeObserver> observers;
  for (int i = 0; i < 100; ++i) {
    guards.push_back(std::make_unique<LifetimeGuard>());
    observers.push_back(guards.back()->observer());
  }
  for (int i = 0; i < 100; i += 2) guards[static_cast<std::size_t>(i)].reset();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(observers[static_cast<std::size_t>(i)].expired(), i % 2 == 0) << i;
}

}  // namespace
}  // namespace zmesh
