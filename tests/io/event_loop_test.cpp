#include "io/event_loop.hpp"

#include <gtest/gtest.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <string>
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

// Records its destruction; `log` outlives it.
struct Tombstone {
  Tombstone(std::vector<std::string>& log_to, std::string name_in) : log(log_to), name(std::move(name_in)) {}
  ~Tombstone() { log.push_back(name + " destroyed"); }
  std::vector<std::string>& log;
  std::string name;
};

TEST(EventLoop, DestroyLaterRunsAfterTheCurrentCallbackReturns) {
  auto loop = test::make_loop();
  std::vector<std::string> log;
  auto owned = std::make_unique<Tombstone>(log, "unique");
  auto shared = std::make_shared<Tombstone>(log, "shared");
  bool fired = false;
  loop->run_at(0, [&] {
    Tombstone* raw = owned.get();
    loop->destroy_later(std::move(owned));
    loop->destroy_later(std::move(shared));
    loop->destroy_later(std::unique_ptr<Tombstone>());  // nothing: ignored
    EXPECT_EQ(loop->pending_destroys(), 2u);
    log.push_back("still usable: " + raw->name);  // the object lives until we return
    fired = true;
  });
  loop->run_at(0, [&] { log.push_back("next timer"); });
  ASSERT_TRUE(loop->run_until([&] { return fired && log.size() == 4; }, test::kGenerous));
  EXPECT_EQ(log, (std::vector<std::string>{"still usable: unique", "unique destroyed", "shared destroyed", "next timer"}));
  EXPECT_EQ(loop->pending_destroys(), 0u);
}

TEST(EventLoop, DestroyLaterHandlesChainsAndLoopDestruction) {
  std::vector<std::string> log;
  {
    auto loop = test::make_loop();
    // A destructor that hands in another object: both go in the same turn.
    struct Parent {
      Parent(EventLoop& l, std::unique_ptr<Tombstone> c) : loop(l), child(std::move(c)) {}
      ~Parent() { loop.destroy_later(std::move(child)); }
      EventLoop& loop;
      std::unique_ptr<Tombstone> child;
    };
    bool done = false;
    (void)loop->post([&] {
      loop->destroy_later(std::make_unique<Parent>(*loop, std::make_unique<Tombstone>(log, "child")));
      done = true;
    });
    ASSERT_TRUE(loop->run_until([&] { return done; }, test::kGenerous));
    EXPECT_EQ(log, std::vector<std::string>{"child destroyed"});
    EXPECT_EQ(loop->pending_destroys(), 0u);
    // Handed in outside any callback and never run: the loop's destructor frees it.
    loop->destroy_later(std::make_unique<Tombstone>(log, "orphan"));
  }
  EXPECT_EQ(log, (std::vector<std::string>{"child destroyed", "orphan destroyed"}));
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
