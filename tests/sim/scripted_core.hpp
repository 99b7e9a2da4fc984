// A minimal Core for simulator tests: sends scripted messages at scripted times and records
// everything it receives into a log owned by the test (so the log survives a crash).
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "runtime/core.hpp"

namespace zmesh::sim::testing {

struct Receipt {
  TimeUs at;
  PeerHandle from;
  Bytes payload;
};

struct ScriptedSend {
  TimeUs at;
  PeerHandle to;
  Bytes payload;
};

class ScriptedCore final : public Core {
 public:
  ScriptedCore(std::vector<ScriptedSend> script, std::vector<Receipt>* log, bool echo = false)
      : script_(std::move(script)), log_(log), echo_(echo) {
    std::stable_sort(script_.begin(), script_.end(), [](const auto& a, const auto& b) { return a.at < b.at; });
  }
  void on_start(TimeUs now) override { send_due(now); }
  void on_receive(TimeUs now, PeerHandle from, ByteView payload) override {
    if (log_) log_->push_back(Receipt{now, from, Bytes(payload.begin(), payload.end())});
    if (echo_) outbox_.push(from, Bytes(payload.begin(), payload.end()));
  }
  void on_timeout(TimeUs now) override { send_due(now); }
  TimeUs next_deadline() const override { return next_ < script_.size() ? script_[next_].at : kNever; }
  std::optional<Transmit> poll_transmit() override { return outbox_.pop(); }

 private:
  void send_due(TimeUs now) {
    while (next_ < script_.size() && script_[next_].at <= now) {
      outbox_.push(script_[next_].to, script_[next_].payload);
      ++next_;
    }
  }
  std::vector<ScriptedSend> script_;
  std::size_t next_ = 0;
  std::vector<Receipt>* log_;
  bool echo_;
  Outbox outbox_{1 << 20};
};

inline Bytes payload_of(std::size_t size, std::uint8_t fill = 0xab) { return Bytes(size, fill); }

}  // namespace zmesh::sim::testing
