// The simulator's agenda: a min-heap of small fixed-size entries ordered by
// (time, sequence number). The sequence number is assigned at push time, so two events due
// at the same microsecond always run in the order they were scheduled: ties are
// deterministic and independent of the heap's internal layout.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "runtime/time.hpp"

namespace zmesh::sim {

struct ScheduledEvent {
  TimeUs time = 0;
  std::uint64_t sequence = 0;
  std::uint32_t node = 0;  // the node the event is for (or an action index, see Simulator)
  std::uint32_t slot = 0;  // a message slot, or one of Simulator's reserved event kinds
};

// A 4-ary heap: half the depth of a binary heap, and the four children of a node sit next
// to each other in memory, so a pop touches about half as many cache lines. With 100,000
// nodes the agenda outgrows the CPU caches and this is where the time goes.
class EventQueue {
 public:
  void push(TimeUs time, std::uint32_t node, std::uint32_t slot) {
    const ScheduledEvent e{time, next_sequence_++, node, slot};
    std::size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {  // sift up: move parents down until e's place is found
      const std::size_t parent = (i - 1) / kArity;
      if (!earlier(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }
  bool empty() const { return heap_.empty(); }
  std::size_t size() const { return heap_.size(); }
  const ScheduledEvent& top() const { return heap_.front(); }
  ScheduledEvent pop() {
    const ScheduledEvent top = heap_.front();
    const ScheduledEvent last = heap_.back();
    heap_.pop_back();
    const std::size_t n = heap_.size();
    if (n == 0) return top;
    std::size_t i = 0;
    for (;;) {  // sift the former last entry down from the root
      const std::size_t first = kArity * i + 1;
      if (first >= n) break;
      const std::size_t end = std::min(first + kArity, n);
      std::size_t best = first;
      for (std::size_t c = first + 1; c < end; ++c)
        if (earlier(heap_[c], heap_[best])) best = c;
      if (!earlier(heap_[best], last)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = last;
    return top;
  }
  std::size_t capacity_bytes() const { return heap_.capacity() * sizeof(ScheduledEvent); }

 private:
  static constexpr std::size_t kArity = 4;
  static bool earlier(const ScheduledEvent& a, const ScheduledEvent& b) {
    return a.time != b.time ? a.time < b.time : a.sequence < b.sequence;
  }
  std::vector<ScheduledEvent> heap_;
  std::uint64_t next_sequence_ = 0;
};

}  // namespace zmesh::sim
