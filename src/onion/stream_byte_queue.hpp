// A FIFO of bytes kept contiguous (a vector read from a head offset), so that the oldest bytes
// can go into a DATA message as one view without copying. Bounded by its owner: the stream
// layer never appends more than the flow-control window or send-buffer limit allows.
#pragma once

#include <algorithm>
#include <cstring>

#include "util/bytes.hpp"

namespace zmesh::onion {

class StreamByteQueue {
 public:
  std::size_t size() const { return data_.size() - head_; }
  bool empty() const { return size() == 0; }

  void append(ByteView more) {
    if (head_ > 0 && head_ >= data_.size() / 2) compact();
    data_.insert(data_.end(), more.begin(), more.end());
  }
  // The oldest min(n, size()) bytes; valid until the next append/consume.
  ByteView front(std::size_t n) const { return ByteView(data_).subspan(head_, std::min(n, size())); }
  void consume(std::size_t n) {
    head_ += std::min(n, size());
    if (head_ == data_.size()) {
      data_.clear();
      head_ = 0;
    }
  }
  // Copies up to out.size() bytes out and consumes them; returns how many.
  std::size_t read_into(MutableByteView out) {
    const ByteView bytes = front(out.size());
    if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
    consume(bytes.size());
    return bytes.size();
  }
  // Drops everything and gives the memory back.
  void release() {
    Bytes().swap(data_);
    head_ = 0;
  }

 private:
  void compact() {
    data_.erase(data_.begin(), data_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }

  Bytes data_;
  std::size_t head_ = 0;
};

}  // namespace zmesh::onion
