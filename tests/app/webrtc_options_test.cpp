// The WebRTC settings of `zmesh node` (app/webrtc_options.*): STUN/TURN server strings, ICE
// addresses and URLs turned into an RtcConfig, and every malformed value refused with a reason.
#include <gtest/gtest.h>

#include "app/webrtc_options.hpp"
#include "app/webrtc_relay.hpp"

namespace zmesh::app {
namespace {

using io::webrtc::IceServer;

TEST(WebRtcOptions, BuildsTheIceConfig) {
  WebRtcOptions options;
  options.stun_servers = {"127.0.0.1:3478", "[::1]:19302"};
  options.turn_servers = {"alice:p@ss:w0rd@192.0.2.7:3479"};
  options.addresses = {"127.0.0.1"};
  options.relay_only = true;
  auto config = make_rtc_config(options);
  ASSERT_TRUE(config.ok()) << config.error().describe();
  ASSERT_EQ(config->ice_servers.size(), 3u);
  EXPECT_EQ(config->ice_servers[0].kind, IceServer::Kind::stun);
  EXPECT_EQ(config->ice_servers[0].host, "127.0.0.1");
  EXPECT_EQ(config->ice_servers[0].port, 3478);
  EXPECT_EQ(config->ice_servers[1].host, "::1");
  const IceServer& turn = config->ice_servers[2];
  EXPECT_EQ(turn.kind, IceServer::Kind::turn_udp);
  EXPECT_EQ(turn.username, "alice");
  EXPECT_EQ(turn.password, "p@ss:w0rd");  // the last '@' ends the credentials
  EXPECT_EQ(turn.host, "192.0.2.7");
  EXPECT_EQ(turn.port, 3479);
  EXPECT_TRUE(config->relay_only);
  EXPECT_EQ(config->local_addresses, std::vector<std::string>{"127.0.0.1"});
  // Loopback-only gathering also refuses non-loopback remote candidates.
  ASSERT_TRUE(config->accept_remote_candidate);
  io::webrtc::IceCandidate remote;
  remote.address = "192.0.2.1";
  EXPECT_FALSE(config->accept_remote_candidate(remote));
  remote.address = "127.0.0.5";
  EXPECT_TRUE(config->accept_remote_candidate(remote));
  // Defaults: every interface, every candidate.
  auto plain = make_rtc_config({});
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->ice_servers.empty());
  EXPECT_FALSE(plain->accept_remote_candidate);
}

TEST(WebRtcOptions, RefusesMalformedValues) {
  auto refused = [](WebRtcOptions options, const std::string& reason) {
    auto config = make_rtc_config(options);
    ASSERT_FALSE(config.ok()) << reason;
    EXPECT_EQ(config.error().code, Errc::invalid_argument);
    EXPECT_NE(config.error().message.find(reason), std::string::npos) << config.error().message;
  };
  refused({{"stun.example:3478"}, {}, {}, false}, "IP address");
  refused({{"127.0.0.1"}, {}, {}, false}, "HOST:PORT");
  refused({{"127.0.0.1:0"}, {}, {}, false}, "bad port");
  refused({{"127.0.0.1:65536"}, {}, {}, false}, "bad port");
  refused({{}, {"127.0.0.1:3478"}, {}, false}, "USER:PASSWORD@HOST:PORT");
  refused({{}, {":pw@127.0.0.1:3478"}, {}, false}, "USER:PASSWORD@HOST:PORT");
  refused({{}, {"user:@127.0.0.1:3478"}, {}, false}, "USER:PASSWORD@HOST:PORT");
  refused({{}, {std::string(300, 'u') + ":p@127.0.0.1:1"}, {}, false}, "256 bytes");
  refused({{}, {}, {"eth0"}, false}, "not an IP address");
  refused({{}, {}, {}, true}, "needs a TURN server");
  refused({std::vector<std::string>(9, "127.0.0.1:1"), {}, {}, false}, "at most 8");
}

TEST(WebRtcOptions, RecognisesWebRtcUrls) {
  EXPECT_TRUE(is_webrtc_url("webrtc+ws://127.0.0.1:80/webrtc"));
  EXPECT_FALSE(is_webrtc_url("ws://127.0.0.1:80/webrtc"));
  EXPECT_TRUE(check_webrtc_url("webrtc+ws://127.0.0.1:80/webrtc").ok());
  EXPECT_FALSE(check_webrtc_url("webrtc+ws://127.0.0.1:0/webrtc").ok());
  EXPECT_FALSE(check_webrtc_url("webrtc+tcp://127.0.0.1:80").ok());
  const std::string a(64, 'a'), b(64, 'b');
  auto target = parse_relay_url("webrtc+relay://" + a + "/" + b);
  ASSERT_TRUE(target.ok());
  EXPECT_EQ(target->via.hex(), a);
  EXPECT_EQ(target->to.hex(), b);
  EXPECT_TRUE(check_webrtc_url("webrtc+relay://" + a + "/" + b).ok());
  for (const std::string& bad : {"webrtc+relay://" + a, "webrtc+relay://" + a + "/" + b + "0",
                                 "webrtc+relay://" + a + "/zz" + b.substr(2), std::string("webrtc+relay:///")}) {
    EXPECT_FALSE(parse_relay_url(bad).ok()) << bad;
    EXPECT_FALSE(check_webrtc_url(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace zmesh::app
