#include "io/webrtc/signaling.hpp"


namespace zmesh::io::webrtc {
namespace {

// Shared state of a pair: each side's callbacks, and whether each side still exists.
struct PairState {
  SignalingChannel::MessageCallback on_message[2];
  SignalingChannel::CloseCallback on_close[2];
  bool open[2] = {true, true};
};

class PairedChannel final : public SignalingChannel {
 public:
  PairedChannel(EventLoop& loop, std::shared_ptr<PairState> state, int side) : loop_(loop), state_(std::move(state)), side_(side) {}
  ~PairedChannel() override {
    state_->open[side_] = false;
    state_->on_message[side_] = nullptr;
    state_->on_close[side_] = nullptr;
    std::weak_ptr<PairState> weak = state_;
    int other = 1 - side_;
    loop_.post([weak, other] {
      auto state = weak.lock();
      if (!state || !state->open[other] || !state->on_close[other]) return;
      auto cb = std::move(state->on_close[other]);
      cb(make_error(Errc::closed, "signaling peer went away"));
    });
  }
  Status send(const SignalMessage& message) override {
    int other = 1 - side_;
    if (!state_->open[other]) return make_error(Errc::closed, "signaling peer went away");
    std::weak_ptr<PairState> weak = state_;
    loop_.post([weak, other, message] {
      auto state = weak.lock();
      if (!state || !state->open[other] || !state->on_message[other]) return;
      auto cb = state->on_message[other];  // a copy: the callback may destroy its channel
      cb(message);
    });
    return {};
  }
  void on_message(MessageCallback callback) override { state_->on_message[side_] = std::move(callback); }
  void on_close(CloseCallback callback) override { state_->on_close[side_] = std::move(callback); }

 private:
  EventLoop& loop_;
  std::shared_ptr<PairState> state_;
  int side_;
};

}  // namespace

std::pair<std::unique_ptr<SignalingChannel>, std::unique_ptr<SignalingChannel>> make_signaling_pair(EventLoop& loop) {
  auto state = std::make_shared<PairState>();
  return {std::make_unique<PairedChannel>(loop, state, 0), std::make_unique<PairedChannel>(loop, state, 1)};
}

}  // namespace zmesh::io::webrtc
