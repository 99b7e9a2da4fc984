#include "app/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "io/http.hpp"
#include "io/socket.hpp"

namespace zmesh::app {
namespace {

constexpr std::size_t kMaxReplyBytes = 16 << 20;

Result<io::SocketAddress> resolve(std::string_view address) {
  auto parsed = parse_host_port(address);
  if (!parsed.ok() || *parsed->port == 0) {
    return make_error(Errc::invalid_argument, "--control: expected HOST:PORT, got '" + std::string(address) + "'");
  }
  if (parsed->host == "localhost") return io::SocketAddress::from_ip(IpAddress::v4(127, 0, 0, 1), *parsed->port);
  if (!parsed->ip) return make_error(Errc::invalid_argument, "--control: " + parsed->host + " is not an IP address (or localhost)");
  return io::SocketAddress::from_ip(*parsed->ip, *parsed->port);
}

// Waits until the socket is ready or the deadline passes.
Status wait_for(int fd, short events, TimeUs deadline_ms_left) {
  pollfd p{fd, events, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(std::max<TimeUs>(deadline_ms_left, 0)));
  if (ready == 0) return make_error(Errc::timeout, "control API did not answer in time");
  if (ready < 0) return io::socket_error("poll", errno);
  return {};
}

}  // namespace

Result<ControlReply> control_request(std::string_view address, std::string_view method, std::string_view path,
                                     const std::string& body, DurationUs timeout) {
  ZM_TRY(io::SocketAddress target, resolve(address));
  ZM_TRY(io::UniqueFd fd, io::start_connect(target));  // nonblocking
  const TimeUs timeout_ms = timeout / kMillisecond;
  ZM_CHECK(wait_for(fd.get(), POLLOUT, timeout_ms));
  int error = 0;
  socklen_t length = sizeof(error);
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) return make_error(Errc::io_error, "cannot reach the control API at " + target.to_string() + ": " + std::strerror(error));

  std::string request = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\nHost: " + target.to_string() +
                        "\r\nConnection: close\r\n";
  if (!body.empty()) request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  request += "\r\n" + body;
  std::size_t written = 0;
  while (written < request.size()) {
    ZM_CHECK(wait_for(fd.get(), POLLOUT, timeout_ms));
    const ssize_t n = ::send(fd.get(), request.data() + written, request.size() - written, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return io::socket_error("send", errno);
    if (n > 0) written += static_cast<std::size_t>(n);
  }

  io::HttpResponseReader reader(kMaxReplyBytes);
  std::uint8_t buffer[16384];
  for (;;) {
    ZM_CHECK(wait_for(fd.get(), POLLIN, timeout_ms));
    const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    if (n < 0) return io::socket_error("recv", errno);
    if (n == 0) return make_error(Errc::truncated, "the control API closed the connection before answering");
    ZM_TRY(bool done, reader.feed(ByteView(buffer, static_cast<std::size_t>(n))));
    if (done) break;
  }
  ControlReply reply;
  reply.status = reader.response().status;
  reply.body = nlohmann::json::parse(reader.response().body, nullptr, /*allow_exceptions=*/false);
  if (reply.body.is_discarded()) reply.body = nullptr;
  return reply;
}

Result<nlohmann::json> control_call(std::string_view address, std::string_view method, std::string_view path,
                                    const std::string& body, DurationUs timeout) {
  ZM_TRY(ControlReply reply, control_request(address, method, path, body, timeout));
  if (reply.status < 200 || reply.status > 299) {
    std::string text = "control API answered " + std::to_string(reply.status);
    if (reply.body.is_object() && reply.body.contains("error") && reply.body["error"].is_string()) {
      text += ": " + reply.body["error"].get<std::string>();
    }
    return make_error(Errc::io_error, text);
  }
  return std::move(reply.body);
}

}  // namespace zmesh::app
