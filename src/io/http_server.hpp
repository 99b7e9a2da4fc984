// A small HTTP/1.1 server on the event loop: one request per connection (Connection: close),
// routes by method and path, and hand-over of the raw stream for Upgrade requests (WebSocket
// today; the same listener can serve signaling and a status page). Every connection has a hard
// deadline for its whole request, which is what defeats slowloris-style slow headers; head and
// body sizes and the number of connections are bounded.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "io/http.hpp"
#include "io/tcp_stream.hpp"
#include "util/lifetime.hpp"

namespace zmesh::io {

struct HttpServerOptions {
  std::size_t max_connections = 256;         // live connections, upgraded ones included
  std::size_t max_body_bytes = 64 * 1024;    // request bodies (Content-Length)
  DurationUs request_timeout = 10 * kSecond;  // accept → whole request received
  StreamOptions stream;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Decides on an Upgrade request: a 101 response accepts (the server sends it), anything else
  // is sent as the refusal and the connection closes.
  using UpgradeCheck = std::function<HttpResponse(const HttpRequest&)>;
  // Receives the stream after the 101 went out, with the bytes that arrived after the request
  // head. It owns the stream from then on.
  using UpgradeTake = std::function<void(HttpRequest request, std::unique_ptr<TcpStream> stream, ByteView leftover)>;
  // Runs before routing; a response it returns is sent instead (e.g. Host checks).
  using Filter = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

  static Result<std::unique_ptr<HttpServer>> open(EventLoop& loop, const SocketAddress& address,
                                                  HttpServerOptions options = {});
  ~HttpServer();

  void route(std::string method, std::string path, Handler handler);
  // Routes whose answer comes later (e.g. after network round trips): the handler gets a
  // Responder to call once, from the loop thread, at any later time; calls after the client
  // went away or the server was destroyed are ignored. Once the request is in, the request
  // deadline no longer applies; instead the server answers 504 if no response came within
  // `answer_timeout`.
  using Responder = std::function<void(const HttpResponse&)>;
  using AsyncHandler = std::function<void(const HttpRequest&, Responder)>;
  void route_async(std::string method, std::string path, AsyncHandler handler, DurationUs answer_timeout);
  void upgrade_route(std::string path, UpgradeCheck check, UpgradeTake take);
  void set_filter(Filter filter) { filter_ = std::move(filter); }

  const SocketAddress& local_address() const { return acceptor_->local_address(); }
  std::size_t connection_count() const { return acceptor_->live_connections(); }
  std::uint64_t refused_connections() const { return acceptor_->refused_connections(); }

 private:
  struct Session {
    std::unique_ptr<TcpStream> stream;
    HttpRequestReader reader;
    EventLoop::TimerId deadline = 0;
    bool answered = false;
  };

  HttpServer(EventLoop& loop, HttpServerOptions options) : loop_(loop), options_(std::move(options)) {}
  void accept(std::unique_ptr<TcpStream> stream);
  void on_bytes(std::uint64_t id, ByteView chunk);
  void dispatch(std::uint64_t id);
  void dispatch_async(std::uint64_t id, const HttpRequest& request, AsyncHandler handler, DurationUs answer_timeout);
  void respond(Session& session, const HttpResponse& response);
  void end_session(std::uint64_t id);

  EventLoop& loop_;
  HttpServerOptions options_;
  std::unique_ptr<TcpAcceptor> acceptor_;
  std::map<std::string, std::map<std::string, Handler>> routes_;  // path → method → handler
  struct AsyncRoute {
    AsyncHandler handler;
    DurationUs answer_timeout = 0;
  };
  std::map<std::string, std::map<std::string, AsyncRoute>> async_routes_;  // path → method → route
  LifetimeGuard alive_;           // for late Responder calls
  struct Upgrade {
    UpgradeCheck check;
    UpgradeTake take;
  };
  std::map<std::string, Upgrade> upgrades_;
  Filter filter_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Session>> sessions_;
  std::uint64_t next_session_ = 1;
};

}  // namespace zmesh::io
