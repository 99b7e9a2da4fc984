#include "io/event_loop.hpp"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

#include "io_test_util.hpp"

namespace zmesh::io {
namespace {

TEST(EventLoop, TimersFireInDeadlineOrderAndCancelWorks) {
  auto loop = test::make_loop();
  std::vector<int> order;
  TimeUs base = loop->now();
  loop->run_at(base + 30 * kMillisecond, [&] { order.push_back(3); });
  loop->run_at(base + 10 * kMillisecond, [&] { order.push_back(1); });
  auto cancelled = loop->run_at(base + 20 * kMillisecond, [&] { order.push_back(2); });
  loop->run_at(base + 10 * kMillisecond, [&] { order.push_back(11); });  // same deadline: arming order
  EXPECT_TRUE(loop->cancel(cancelled));
  EXPECT_FALSE(loop->cancel(cancelled));
  ASSERT_TRUE(loop->run_until([&] { return order.size() == 3; }, test::kGenerous));
  EXPECT_EQ(order, (std::vector<int>{1, 11, 3}));
  EXPECT_GE(loop->now(), base + 30 * kMillisecond);
  EXPECT_EQ(loop->timer_count(), 0u);
}

TEST(EventLoop, TimerCanCancelAnotherDueInSameTurn) {
  auto loop = test::make_loop();
  bool second_ran = false;
  EventLoop::TimerId second = 0;
  loop->run_at(0, [&] { loop->cancel(second); });
  second = loop->run_at(1, [&] { second_ran = true; });
  loop->run_once(0);
  loop->run_once(0);
  EXPECT_FALSE(second_ran);
}

TEST(EventLoop, ManyCancelledTimersDoNotGrowTheHeapUnbounded) {
  auto loop = test::make_loop();
  EventLoop::TimerId id = 0;
  for (int i = 0; i < 100000; ++i) {
    loop->cancel(id);
    id = loop->run_after(kSecond, [] {});
  }
  EXPECT_EQ(loop->timer_count(), 1u);
}

TEST(EventLoop, PostFromOtherThreadsRunsOnLoop) {
  auto loop = test::make_loop();
  std::atomic<int> count{0};
  std::thread::id loop_thread = std::this_thread::get_id();
  bool wrong_thread = false;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 250; ++i) {
        loop->post([&] {
          if (std::this_thread::get_id() != loop_thread) wrong_thread = true;
          ++count;
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_TRUE(loop->run_until([&] { return count == 1000; }, test::kGenerous));
  EXPECT_FALSE(wrong_thread);
}

TEST(EventLoop, StopFromAnotherThreadEndsRun) {
  auto loop = test::make_loop();
  std::thread stopper([&] { loop->stop(); });
  loop->run();  // returns only because of stop()
  stopper.join();
  EXPECT_TRUE(loop->stopped());
}

TEST(EventLoop, PosterOutlivesLoop) {
  Poster poster;
  {
    auto loop = test::make_loop();
    poster = loop->poster();
    EXPECT_TRUE(poster.post([] {}));
  }
  EXPECT_FALSE(poster.post([] {}));
}

TEST(EventLoop, WatchReportsReadabilityAndUnwatchInsideCallbackIsSafe) {
  auto loop = test::make_loop();
  int efd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  ASSERT_GE(efd, 0);
  int calls = 0;
  EventLoop::WatchId id = 0;
  auto w = loop->watch(efd, true, false, [&](IoEvents e) {
    EXPECT_TRUE(e.readable);
    ++calls;
    loop->unwatch(id);  // level-triggered: without this it would fire again
  });
  ASSERT_TRUE(w.ok());
  id = w.value();
  std::uint64_t one = 1;
  ASSERT_EQ(::write(efd, &one, sizeof one), 8);
  loop->run_until([&] { return calls > 0; }, test::kGenerous);
  loop->run_once(10 * kMillisecond);
  EXPECT_EQ(calls, 1);
  ::close(efd);
}

TEST(EventLoop, SignalsArriveThroughSignalfd) {
  auto loop = test::make_loop();
  int got = 0;
  ASSERT_TRUE(loop->stop_on_signals({SIGUSR1}, [&](int s) { got = s; }).ok());
  ::raise(SIGUSR1);  // blocked now: stays pending until the signalfd reads it
  ASSERT_TRUE(loop->run_until([&] { return got != 0; }, test::kGenerous));
  EXPECT_EQ(got, SIGUSR1);
}

TEST(EventLoop, DefaultSignalActionStopsTheLoop) {
  auto loop = test::make_loop();
  ASSERT_TRUE(loop->stop_on_signals({SIGUSR2}).ok());
  ::raise(SIGUSR2);
  loop->run();
  EXPECT_TRUE(loop->stopped());
}

}  // namespace
}  // namespace zmesh::io
