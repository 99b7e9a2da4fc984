#include "io/webrtc/rtc_engine.hpp"

#include "io/length_framing.hpp"

namespace zmesh::io::webrtc {

Result<std::unique_ptr<RtcEngine>> RtcEngine::create(EventLoop& loop, RandomSource& random, RtcConfig config) {
  if (config.max_message_bytes == 0 || config.max_message_bytes > kHardMaxMessageBytes) {
    return make_error(Errc::invalid_argument, "max_message_bytes must be in 1..16 MiB");
  }
  for (const auto& server : config.ice_servers) {
    if (server.host.empty() || server.port == 0) return make_error(Errc::invalid_argument, "ICE server needs host and port");
  }
  std::unique_ptr<RtcEngine> engine(new RtcEngine(loop, random, std::move(config)));
  ZM_TRY(engine->certificate_, DtlsCertificate::generate());
  return engine;
}

}  // namespace zmesh::io::webrtc
