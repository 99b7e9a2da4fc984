#include "app/webrtc_transports.hpp"

#include "io/url.hpp"
#include "io/websocket_transport.hpp"
#include "io/webrtc/webrtc_connection.hpp"

namespace zmesh::app {

namespace rtc = io::webrtc;

Result<std::unique_ptr<WebRtcTransports>> WebRtcTransports::create(io::EventLoop& loop, RandomSource& random,
                                                       const WebRtcOptions& options,
                                                       const io::TransportOptions& transport_options) {
  ZM_TRY(rtc::RtcConfig config, make_rtc_config(options));
  std::unique_ptr<WebRtcTransports> transports(new WebRtcTransports(loop, random, transport_options));
  ZM_TRY(transports->engine_, rtc::RtcEngine::create(loop, random, std::move(config)));
  return transports;
}

WebRtcTransports::~WebRtcTransports() {
  relay_.reset();
  dials_.clear();
  listeners_.clear();
}

Status WebRtcTransports::serve_signaling(const std::vector<std::unique_ptr<io::Listener>>& listeners,
                                   const io::Listener::AcceptCallback& on_accept) {
  for (const auto& listener : listeners) {
    auto* websocket = dynamic_cast<io::WsListener*>(listener.get());
    if (websocket == nullptr) continue;
    auto url = io::parse_transport_url(websocket->local_url());
    if (url.ok() && url->path == kWebRtcSignalingPath) {
      return make_error(Errc::invalid_argument, "listen " + websocket->local_url() + ": the path " +
                                                    kWebRtcSignalingPath + " is reserved for WebRTC signaling");
    }
    ZM_TRY(auto signaling, rtc::WebRtcListener::attach(*engine_, websocket->http(), kWebRtcSignalingPath,
                                                        transport_options_));
    signaling->on_accept(on_accept);
    listeners_.emplace(listener.get(), std::move(signaling));
  }
  return {};
}

std::string WebRtcTransports::signaling_url(const io::Listener& listener) const {
  auto it = listeners_.find(&listener);
  return it == listeners_.end() ? std::string() : it->second->local_url();
}

void WebRtcTransports::serve_relay(node::SignalingRelay& relay, DeferredDrain& drain,
                                   io::Listener::AcceptCallback on_accept) {
  relay_ = std::make_unique<RelaySignaling>(*engine_, relay, drain, std::move(on_accept));
}

void WebRtcTransports::dial(std::uint64_t id, const std::string& url, io::DialCallback done) {
  if (is_relay_url(url)) {
    auto target = parse_relay_url(url);
    if (relay_ && target.ok()) {
      relay_->dial(id, target.value(), std::move(done));
    } else {
      Error error = target.ok() ? make_error(Errc::invalid_argument, "relayed signaling is off") : target.error();
      (void)loop_.post([done = std::move(done), error] { done(error); });
    }
    return;
  }
  dials_[id] = rtc::dial(
      *engine_, random_, url,
      [this, id, done = std::move(done)](Result<std::unique_ptr<io::Connection>> result) {
        // We run inside the dial's own callback: free it from the loop.
        auto it = dials_.find(id);
        if (it != dials_.end()) {
          loop_.destroy_later(std::move(it->second));
          dials_.erase(it);
        }
        done(std::move(result));
      },
      transport_options_);
}

void WebRtcTransports::cancel_dials() {
  dials_.clear();
  if (relay_) relay_->cancel_dials();
}

void add_webrtc_link_status(nlohmann::json& row, const io::Connection& connection) {
  if (const auto* webrtc = dynamic_cast<const rtc::WebRtcConnection*>(&connection)) {
    row["candidate_pair"] = webrtc->candidate_pair();
  }
}

}  // namespace zmesh::app
