// Everything WebRTC connections on one event loop share: the GLib bridge libnice runs on, the
// DTLS certificate (one per engine, like one per browser profile session), the configuration
// and a random source. Create one per node; it must outlive its peer connections.
#pragma once

#include <memory>

#include "io/event_loop.hpp"
#include "io/webrtc/dtls_certificate.hpp"
#include "io/webrtc/glib_bridge.hpp"
#include "io/webrtc/rtc_config.hpp"
#include "runtime/random.hpp"

namespace zmesh::io::webrtc {

class RtcEngine {
 public:
  // `random` (session ids) must outlive the engine.
  static Result<std::unique_ptr<RtcEngine>> create(EventLoop& loop, RandomSource& random, RtcConfig config = {});

  EventLoop& loop() const { return loop_; }
  GlibBridge& bridge() { return bridge_; }
  RandomSource& random() const { return random_; }
  const RtcConfig& config() const { return config_; }
  const std::shared_ptr<DtlsCertificate>& certificate() const { return certificate_; }

 private:
  RtcEngine(EventLoop& loop, RandomSource& random, RtcConfig config)
      : loop_(loop), random_(random), config_(std::move(config)), bridge_(loop) {}
  EventLoop& loop_;
  RandomSource& random_;
  RtcConfig config_;
  GlibBridge bridge_;
  std::shared_ptr<DtlsCertificate> certificate_;
};

}  // namespace zmesh::io::webrtc
