#include "app/webrtc_relay.hpp"

#include "io/webrtc/signal_message.hpp"

namespace zmesh::app {

namespace rtc = io::webrtc;

namespace {
constexpr std::string_view kRelayScheme = "webrtc+relay://";
}  // namespace

bool is_relay_url(std::string_view url) { return url.substr(0, kRelayScheme.size()) == kRelayScheme; }

Result<RelayTarget> parse_relay_url(std::string_view url) {
  auto bad = [] { return make_error(Errc::invalid_argument, "expected webrtc+relay://VIA_NODE_ID/TO_NODE_ID (hex)"); };
  if (!is_relay_url(url)) return bad();
  std::string_view rest = url.substr(kRelayScheme.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return bad();
  auto via = NodeId::from_hex(rest.substr(0, slash));
  auto to = NodeId::from_hex(rest.substr(slash + 1));
  if (!via.ok() || !to.ok()) return bad();
  return RelayTarget{via.value(), to.value()};
}

// One setup's signaling path: sends go out through the relay service, what it received for
// this (neighbour, peer, session) comes in through deliver().
class RelaySignaling::Channel final : public rtc::SignalingChannel {
 public:
  Channel(RelaySignaling& owner, Key key) : owner_(owner), alive_(owner.alive_.observer()), key_(key) {}
  ~Channel() override {
    if (!alive_.expired()) owner_.channels_.erase(key_);
  }
  Status send(const rtc::SignalMessage& message) override {
    if (alive_.expired()) return make_error(Errc::closed, "node shutting down");
    const std::string json = rtc::encode_signal(message);
    Status sent = owner_.relay_.send(owner_.engine_.loop().core_now(), key_.via, key_.peer, key_.session, as_bytes(json));
    owner_.drain_.request();
    return sent;
  }
  void on_message(MessageCallback callback) override { on_message_ = std::move(callback); }
  void on_close(CloseCallback callback) override { on_close_ = std::move(callback); }

  // Called from RelaySignaling::poll (from the loop); the owner of this channel may destroy it
  // inside either callback.
  void deliver(const node::RelayedSignal& signal) {
    if (signal.unreachable) {
      if (auto cb = std::move(on_close_)) cb(make_error(Errc::not_found, "the relay has no link to that node"));
      return;
    }
    auto message = rtc::decode_signal(signal.payload);
    if (!message.ok()) {
      if (auto cb = std::move(on_close_)) cb(message.error());
      return;
    }
    if (on_message_) on_message_(message.value());
  }

 private:
  RelaySignaling& owner_;
  LifetimeObserver alive_;
  Key key_;
  MessageCallback on_message_;
  CloseCallback on_close_;
};

RelaySignaling::RelaySignaling(rtc::RtcEngine& engine, node::SignalingRelay& relay, DeferredDrain& drain,
                               io::Listener::AcceptCallback on_accept)
    : engine_(engine), relay_(relay), drain_(drain), on_accept_(std::move(on_accept)) {}

RelaySignaling::~RelaySignaling() {
  alive_.expire();
  dials_.clear();
  answering_.clear();
}

std::unique_ptr<RelaySignaling::Channel> RelaySignaling::open_channel(const Key& key) {
  auto channel = std::make_unique<Channel>(*this, key);
  channels_[key] = channel.get();
  return channel;
}

void RelaySignaling::dial(std::uint64_t id, const RelayTarget& target, io::DialCallback done) {
  Key key{target.via, target.to, engine_.random().next_u64()};
  LifetimeObserver alive = alive_.observer();
  if (!relay_.is_up(target.via)) {
    (void)engine_.loop().post([alive, done] {
      if (!alive.expired()) done(make_error(Errc::not_found, "no link to the relaying node"));
    });
    return;
  }
  dials_[id] = rtc::RtcSession::start(engine_, open_channel(key), rtc::RtcSession::Role::offerer,
                                      [this, alive, id, done](Result<std::unique_ptr<io::Connection>> result) {
                                        if (alive.expired()) return;
                                        // Inside the session's callback: free it from the loop.
                                        auto it = dials_.find(id);
                                        if (it != dials_.end()) {
                                          engine_.loop().destroy_later(std::move(it->second));
                                          dials_.erase(it);
                                        }
                                        done(std::move(result));
                                      });
}

void RelaySignaling::answer(const Key& key, Bytes first_signal) {
  auto message = rtc::decode_signal(first_signal);
  if (!message.ok()) return;
  const bool opens = message->type == rtc::SignalType::offer || message->type == rtc::SignalType::request_offer;
  if (!opens || answering_.size() >= kMaxRelayedSetups) return;
  auto channel = open_channel(key);
  Channel* raw = channel.get();
  auto holder = std::make_shared<rtc::RtcSession*>(nullptr);
  LifetimeObserver alive = alive_.observer();
  auto session = rtc::RtcSession::start(engine_, std::move(channel), rtc::RtcSession::Role::either,
                                        [this, alive, holder](Result<std::unique_ptr<io::Connection>> result) {
                                          if (alive.expired()) return;
                                          auto it = answering_.find(*holder);
                                          if (it != answering_.end()) {
                                            engine_.loop().destroy_later(std::move(it->second));
                                            answering_.erase(it);
                                          }
                                          if (result.ok() && on_accept_) on_accept_(std::move(result.value()));
                                        });
  *holder = session.get();
  answering_.emplace(session.get(), std::move(session));
  raw->deliver(node::RelayedSignal{key.via, key.peer, key.session, false, std::move(first_signal)});
}

bool RelaySignaling::poll() {
  bool any = false;
  while (auto signal = relay_.poll()) {
    any = true;
    const Key key{signal->via, signal->from, signal->session};
    auto it = channels_.find(key);
    if (it != channels_.end()) {
      it->second->deliver(*signal);
    } else if (!signal->unreachable) {
      answer(key, std::move(signal->payload));
    }
  }
  return any;
}

}  // namespace zmesh::app
