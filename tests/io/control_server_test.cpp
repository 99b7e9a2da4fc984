// The control HTTP server over real loopback sockets.
#include "io/control_server.hpp"

#include <gtest/gtest.h>

#include "io_test_util.hpp"

namespace zmesh::io {
namespace {

using test::kGenerous;
using test::RawClient;

struct Reply {
  int status = 0;
  std::string body;
  HttpResponse response;
};

Reply http_exchange(EventLoop& loop, std::uint16_t port, const std::string& request) {
  RawClient raw(loop, port);
  raw.send(request);
  EXPECT_TRUE(raw.wait_eof()) << request;
  HttpResponseReader reader(1 << 20);
  auto done = reader.feed(raw.received);
  Reply reply;
  if (!done.ok() || !done.value()) {
    ADD_FAILURE() << "incomplete response: " << raw.text();
    return reply;
  }
  reply.response = reader.response();
  reply.status = reply.response.status;
  reply.body = reply.response.body;
  return reply;
}

std::string post(const std::string& path, const std::string& body, const std::string& host = "127.0.0.1") {
  return "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    loop = test::make_loop();
    ControlServerOptions options;
    options.request_timeout = 300 * kMillisecond;
    options.max_body_bytes = 4096;
    auto s = ControlServer::start(*loop, "127.0.0.1:0", options);
    ASSERT_TRUE(s.ok()) << s.error().describe();
    server = std::move(s.value());
    server->route("GET", "/status", [](const HttpRequest&) {
      return json_response(200, {{"state", "running"}, {"peers", 3}});
    });
    server->route("POST", "/sum", [](const HttpRequest& request) {
      auto body = parse_json_body(request);
      if (!body.ok()) return json_response(400, {{"error", body.error().message}});
      int total = 0;
      for (const auto& v : body.value().at("values")) total += v.get<int>();  // throws on bad types → 500
      return json_response(200, {{"sum", total}});
    });
    port = server->local_address().port();
  }
  std::unique_ptr<EventLoop> loop;
  std::unique_ptr<ControlServer> server;
  std::uint16_t port = 0;
};

TEST_F(ControlServerTest, GetAndPostJsonRoundTrip) {
  auto get = http_exchange(*loop, port, "GET /status HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.response.headers.get("content-type").value_or(""), "application/json");
  auto json = nlohmann::json::parse(get.body);
  EXPECT_EQ(json["state"], "running");
  EXPECT_EQ(json["peers"], 3);

  auto sum = http_exchange(*loop, port, post("/sum", R"({"values":[1,2,3,4]})"));
  EXPECT_EQ(sum.status, 200);
  EXPECT_EQ(nlohmann::json::parse(sum.body)["sum"], 10);
}

TEST_F(ControlServerTest, ErrorsAre404_405_400_500_413_403) {
  EXPECT_EQ(http_exchange(*loop, port, "GET /nope HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").status, 404);
  auto wrong_method = http_exchange(*loop, port, post("/status", "{}"));
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.response.headers.get("allow").value_or(""), "GET");
  EXPECT_EQ(http_exchange(*loop, port, post("/sum", "{not json")).status, 400);
  EXPECT_EQ(http_exchange(*loop, port, post("/sum", R"({"values":["a"]})")).status, 500);
  EXPECT_EQ(http_exchange(*loop, port, post("/sum", std::string(5000, ' '))).status, 413);
  // DNS rebinding: a page at evil.example resolving to 127.0.0.1 sends Host: evil.example.
  EXPECT_EQ(http_exchange(*loop, port, "GET /status HTTP/1.1\r\nHost: evil.example\r\n\r\n").status, 403);
  EXPECT_EQ(http_exchange(*loop, port, "GET /status HTTP/1.1\r\n\r\n").status, 403);
  EXPECT_EQ(http_exchange(*loop, port, "GET /status HTTP/1.1\r\nHost: [::1]:80\r\n\r\n").status, 200);
}

TEST_F(ControlServerTest, GarbageGets400AndServerKeepsWorking) {
  SeededRandom random(3);
  for (int i = 0; i < 5; ++i) {
    Bytes junk = test::pattern(200 + 100 * i, 100 + i);
    RawClient raw(*loop, port);
    raw.send(junk);
    raw.send("\r\n\r\n");
    ASSERT_TRUE(raw.wait_eof());
  }
  EXPECT_EQ(http_exchange(*loop, port, "GET /status HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 200);
}

TEST_F(ControlServerTest, HalfOpenClientIsDroppedAfterTimeoutWhileAnotherIsServed) {
  RawClient idle(*loop, port);
  idle.send("GET /status HTTP/1.1\r\nHo");  // and then nothing
  TimeUs start = loop->now();
  EXPECT_EQ(http_exchange(*loop, port, "GET /status HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 200);
  ASSERT_TRUE(idle.wait_eof());
  EXPECT_GE(loop->now() - start, 250 * kMillisecond);
  EXPECT_TRUE(idle.received.empty());
  ASSERT_TRUE(loop->run_until([&] { return server->connection_count() == 0; }, kGenerous));
}

TEST_F(ControlServerTest, ConnectionLimitHolds) {
  ControlServerOptions options;
  options.max_connections = 2;
  auto small = ControlServer::start(*loop, "127.0.0.1:0", options);
  ASSERT_TRUE(small.ok());
  std::uint16_t p = small.value()->local_address().port();
  RawClient a(*loop, p);
  RawClient b(*loop, p);
  a.send("GET ");
  b.send("GET ");
  ASSERT_TRUE(loop->run_until([&] { return small.value()->connection_count() == 2; }, kGenerous));
  RawClient c(*loop, p);
  ASSERT_TRUE(c.wait_eof());
  EXPECT_TRUE(c.received.empty());
}

// route_async: the answer comes from a later loop iteration; a handler that never answers
// gets 504 after its answer timeout; a late answer after that is ignored.
TEST_F(ControlServerTest, AsyncRoutesAnswerLaterOrTimeOut) {
  std::vector<HttpServer::Responder> parked;
  server->route_async("POST", "/later", [&](const HttpRequest& request, HttpServer::Responder respond) {
    const std::string body = request.body;
    loop->run_after(50 * kMillisecond, [respond, body] { respond(json_response(200, {{"echo", body}})); });
  }, 5 * kSecond);
  server->route_async("GET", "/never", [&](const HttpRequest&, HttpServer::Responder respond) {
    parked.push_back(std::move(respond));
  }, 200 * kMillisecond);
  const TimeUs start = loop->now();
  auto later = http_exchange(*loop, port, post("/later", "abc"));
  EXPECT_EQ(later.status, 200);
  EXPECT_EQ(nlohmann::json::parse(later.body)["echo"], "abc");
  EXPECT_GE(loop->now() - start, 50 * kMillisecond);
  EXPECT_EQ(http_exchange(*loop, port, "GET /never HTTP/1.1\r\nHost: localhost\r\n\r\n").status, 504);
  ASSERT_EQ(parked.size(), 1u);
  parked[0](json_response(200, {}));  // too late: ignored
  server.reset();
  parked[0](json_response(200, {}));  // server gone: ignored
}

TEST(ControlServer, RefusesNonLoopbackUnlessAllowed) {
  auto loop = test::make_loop();
  auto refused = ControlServer::start(*loop, "0.0.0.0:0");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("non-loopback"), std::string::npos);
  EXPECT_FALSE(ControlServer::start(*loop, "[::]:0").ok());
  EXPECT_FALSE(ControlServer::start(*loop, "nonsense").ok());
  ControlServerOptions allow;
  allow.allow_non_loopback = true;
  EXPECT_TRUE(ControlServer::start(*loop, "0.0.0.0:0", allow).ok());
  auto v6 = ControlServer::start(*loop, "[::1]:0");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6.value()->url().substr(0, 12), "http://[::1]");
}

}  // namespace
}  // namespace zmesh::io
