#include "io/http_server.hpp"

#include "util/log.hpp"

namespace zmesh::io {

Result<std::unique_ptr<HttpServer>> HttpServer::open(EventLoop& loop, const SocketAddress& address,
                                                     HttpServerOptions options) {
  std::unique_ptr<HttpServer> server(new HttpServer(loop, std::move(options)));
  HttpServer* raw = server.get();
  ZM_TRY(server->acceptor_, TcpAcceptor::open(loop, address, server->options_.max_connections, server->options_.stream,
                                              [raw](std::unique_ptr<TcpStream> s) { raw->accept(std::move(s)); }));
  return server;
}

HttpServer::~HttpServer() {
  for (auto& [id, session] : sessions_) loop_.cancel(session->deadline);
}

void HttpServer::route(std::string method, std::string path, Handler handler) {
  routes_[std::move(path)][std::move(method)] = std::move(handler);
}

void HttpServer::route_async(std::string method, std::string path, AsyncHandler handler, DurationUs answer_timeout) {
  async_routes_[std::move(path)][std::move(method)] = AsyncRoute{std::move(handler), answer_timeout};
}

void HttpServer::dispatch_async(std::uint64_t id, const HttpRequest& request, AsyncHandler handler,
                                DurationUs answer_timeout) {
  Session& session = *sessions_.at(id);
  loop_.cancel(session.deadline);
  session.deadline = loop_.run_after(answer_timeout, [this, id] {
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->answered) return;
    it->second->deadline = 0;
    respond(*it->second, HttpResponse::text(504, "no answer in time\n"));
  });
  LifetimeObserver alive = alive_.observer();
  handler(request, [this, alive, id](const HttpResponse& response) {
    if (alive.expired()) return;
    auto it = sessions_.find(id);
    if (it == sessions_.end() || it->second->answered) return;
    respond(*it->second, response);
  });
}

void HttpServer::upgrade_route(std::string path, UpgradeCheck check, UpgradeTake take) {
  upgrades_[std::move(path)] = Upgrade{std::move(check), std::move(take)};
}

void HttpServer::accept(std::unique_ptr<TcpStream> stream) {
  std::uint64_t id = next_session_++;
  auto session = std::make_unique<Session>(Session{std::move(stream), HttpRequestReader(options_.max_body_bytes)});
  session->stream->on_data([this, id](ByteView chunk) { on_bytes(id, chunk); });
  session->stream->on_close([this, id](const CloseReason&) { end_session(id); });
  // A hard deadline, not an idle timeout: a client trickling one byte at a time still loses.
  session->deadline = loop_.run_after(options_.request_timeout, [this, id] {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    it->second->deadline = 0;
    it->second->stream->abort(CloseReason{CloseKind::timeout, "HTTP request not received in time"});
  });
  sessions_.emplace(id, std::move(session));
}

void HttpServer::end_session(std::uint64_t id) {
  auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  loop_.cancel(it->second->deadline);
  sessions_.erase(it);
}

void HttpServer::on_bytes(std::uint64_t id, ByteView chunk) {
  auto it = sessions_.find(id);
  if (it == sessions_.end() || it->second->answered) return;
  Session& session = *it->second;
  auto done = session.reader.feed(chunk);
  if (!done.ok()) {
    int status = 400;
    if (done.error().code == Errc::too_large) {
      status = done.error().message.find("head") != std::string::npos ? 431 : 413;
    }
    respond(session, HttpResponse::text(status, done.error().message + "\n"));
    return;
  }
  if (done.value()) dispatch(id);
}

void HttpServer::respond(Session& session, const HttpResponse& response) {
  session.answered = true;
  loop_.cancel(session.deadline);
  session.deadline = 0;
  HttpResponse r = response;
  r.headers.set("Connection", "close");
  std::string text = r.serialize();
  if (!session.stream->write(as_bytes(text)).ok()) {
    session.stream->abort(CloseReason{CloseKind::reset, "HTTP response did not fit the send buffer"});
    return;
  }
  session.stream->close(CloseReason{CloseKind::local, "HTTP response sent"});
}

void HttpServer::dispatch(std::uint64_t id) {
  Session& session = *sessions_.at(id);
  HttpRequest& request = session.reader.request();
  request.remote = session.stream->peer().to_string();
  if (filter_) {
    if (auto refusal = filter_(request)) {
      respond(session, *refusal);
      return;
    }
  }
  auto up = upgrades_.find(request.path);
  if (up != upgrades_.end() && request.headers.get("upgrade")) {
    UpgradeTake take = up->second.take;
    HttpResponse answer = up->second.check(request);
    if (answer.status != 101) {
      respond(session, answer);
      return;
    }
    if (!session.stream->write(as_bytes(answer.serialize())).ok()) {
      session.stream->abort(CloseReason{CloseKind::reset, "upgrade response did not fit the send buffer"});
      return;
    }
    // Hand the stream over: this server forgets the connection (its slot travels with the stream).
    std::unique_ptr<Session> owned = std::move(sessions_.at(id));
    sessions_.erase(id);
    loop_.cancel(owned->deadline);
    owned->stream->on_data(nullptr);
    owned->stream->on_close(nullptr);
    Bytes leftover(owned->reader.leftover().begin(), owned->reader.leftover().end());
    take(std::move(owned->reader.request()), std::move(owned->stream), leftover);
    return;
  }
  if (auto async = async_routes_.find(request.path); async != async_routes_.end()) {
    auto route = async->second.find(request.method);
    if (route != async->second.end()) {
      AsyncRoute copy = route->second;  // the handler may add routes, invalidating iterators
      dispatch_async(id, request, std::move(copy.handler), copy.answer_timeout);
      return;
    }
  }
  auto path = routes_.find(request.path);
  if (path == routes_.end()) {
    if (up != upgrades_.end()) {
      HttpResponse r = HttpResponse::text(426, "this path needs an Upgrade\n");
      r.headers.set("Upgrade", "websocket");
      respond(session, r);
    } else {
      respond(session, HttpResponse::text(404, "not found\n"));
    }
    return;
  }
  auto handler = path->second.find(request.method);
  if (handler == path->second.end()) {
    HttpResponse r = HttpResponse::text(405, "method not allowed\n");
    std::string allow;
    for (const auto& [method, h] : path->second) allow += (allow.empty() ? "" : ", ") + method;
    r.headers.set("Allow", allow);
    respond(session, r);
    return;
  }
  Handler h = handler->second;  // the handler may add routes, invalidating iterators
  respond(session, h(request));
}

}  // namespace zmesh::io
