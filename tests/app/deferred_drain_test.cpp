// DeferredDrain: a drain asked for inside a callback runs after it, from the loop, once however
// often it was asked; settle() (a drain that ran anyway) cancels it; destroying it cancels it.
#include "app/deferred_drain.hpp"

#include <gtest/gtest.h>

namespace zmesh::app {
namespace {

std::unique_ptr<io::EventLoop> make_loop() {
  auto loop = io::EventLoop::create();
  EXPECT_TRUE(loop.ok());
  return std::move(loop.value());
}

TEST(DeferredDrain, RunsOnceAfterTheCallbackThatAskedForIt) {
  auto loop = make_loop();
  int drains = 0;
  DeferredDrain drain(*loop, [&] { ++drains; });
  bool inside_callback_done = false;
  loop->run_after(0, [&] {
    drain.request();
    drain.request();
    EXPECT_EQ(drains, 0);  // never inside the caller
    inside_callback_done = true;
  });
  loop->run_until([&] { return drains > 0; }, kSecond);
  loop->run_once(0);
  EXPECT_TRUE(inside_callback_done);
  EXPECT_EQ(drains, 1);
  EXPECT_FALSE(drain.requested());
}

TEST(DeferredDrain, SettleAndDestructionCancel) {
  auto loop = make_loop();
  int drains = 0;
  {
    DeferredDrain drain(*loop, [&] { ++drains; });
    drain.request();
    drain.settle();
    EXPECT_FALSE(drain.requested());
    drain.request();
  }  // destroyed with a request pending
  for (int i = 0; i < 3; ++i) loop->run_once(0);
  EXPECT_EQ(drains, 0);
  EXPECT_EQ(loop->timer_count(), 0u);
}

}  // namespace
}  // namespace zmesh::app
