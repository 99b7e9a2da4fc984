#include "io/socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <thread>

#include "io/event_loop.hpp"

namespace zmesh::io {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

Error socket_error(const char* what, int err) {
  Errc code = Errc::io_error;
  if (err == ETIMEDOUT) code = Errc::timeout;
  if (err == ECONNRESET || err == EPIPE || err == ECONNREFUSED) code = Errc::closed;
  return make_error(code, std::string(what) + ": " + std::strerror(err));
}

Result<SocketAddress> SocketAddress::from_ip(std::string_view ip, std::uint16_t port) {
  auto parsed = parse_ip_address(ip);
  if (!parsed.ok()) return make_error(Errc::invalid_argument, "not an IP address: " + std::string(ip.substr(0, 64)));
  return from_ip(*parsed, port);
}

SocketAddress SocketAddress::from_ip(const IpAddress& ip, std::uint16_t port) {
  SocketAddress out;
  if (ip.family == IpFamily::v4) {
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(port);
    std::memcpy(&v4.sin_addr, ip.bytes.data(), 4);
    std::memcpy(&out.storage_, &v4, sizeof v4);
    out.length_ = sizeof v4;
  } else {
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(port);
    std::memcpy(&v6.sin6_addr, ip.bytes.data(), 16);
    std::memcpy(&out.storage_, &v6, sizeof v6);
    out.length_ = sizeof v6;
  }
  return out;
}

SocketAddress SocketAddress::from_sockaddr(const sockaddr* addr, socklen_t length) {
  SocketAddress out;
  if (length > sizeof out.storage_) length = sizeof out.storage_;
  std::memcpy(&out.storage_, addr, length);
  out.length_ = length;
  return out;
}

std::uint16_t SocketAddress::port() const {
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (family() == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

IpAddress SocketAddress::ip_address() const {
  if (family() == AF_INET) {
    return IpAddress::from_bytes(ByteView(reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr), 4));
  }
  if (family() == AF_INET6) {
    return IpAddress::from_bytes(ByteView(reinterpret_cast<const std::uint8_t*>(&reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr), 16));
  }
  return IpAddress{};
}

std::string SocketAddress::ip() const {
  if (family() != AF_INET && family() != AF_INET6) return "?";
  return ip_address().to_string();
}

std::string SocketAddress::to_string() const {
  if (family() != AF_INET && family() != AF_INET6) return "?:" + std::to_string(port());
  return format_host_port(ip(), port());
}

bool SocketAddress::is_loopback() const {
  return (family() == AF_INET || family() == AF_INET6) && ip_address().is_loopback();
}

Result<SocketAddress> local_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return socket_error("getsockname", errno);
  return SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

Result<SocketAddress> peer_address(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return socket_error("getpeername", errno);
  return SocketAddress::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
}

Result<UniqueFd> open_listening_socket(const SocketAddress& address, int backlog) {
  UniqueFd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return socket_error("socket", errno);
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (address.family() == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd.get(), address.get(), address.length()) != 0) {
    return socket_error(("bind " + address.to_string()).c_str(), errno);
  }
  if (::listen(fd.get(), backlog) != 0) return socket_error("listen", errno);
  return fd;
}

Result<UniqueFd> start_connect(const SocketAddress& address) {
  UniqueFd fd(::socket(address.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return socket_error("socket", errno);
  if (::connect(fd.get(), address.get(), address.length()) != 0 && errno != EINPROGRESS) {
    return socket_error(("connect " + address.to_string()).c_str(), errno);
  }
  return fd;
}

void set_tcp_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

namespace {

std::atomic<int> g_resolver_threads{0};

Result<std::vector<SocketAddress>> blocking_resolve(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_ADDRCONFIG;
  addrinfo* list = nullptr;
  int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &list);
  if (rc != 0) return make_error(Errc::not_found, "cannot resolve " + host + ": " + ::gai_strerror(rc));
  std::vector<SocketAddress> out;
  for (addrinfo* ai = list; ai != nullptr && out.size() < 16; ai = ai->ai_next) {
    if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6) {
      out.push_back(SocketAddress::from_sockaddr(ai->ai_addr, ai->ai_addrlen));
    }
  }
  ::freeaddrinfo(list);
  if (out.empty()) return make_error(Errc::not_found, "no IPv4/IPv6 address for " + host);
  return out;
}

}  // namespace

void resolve_host(EventLoop& loop, const std::string& host, std::uint16_t port, ResolveCallback callback) {
  auto literal = SocketAddress::from_ip(host, port);
  if (literal.ok()) {
    std::vector<SocketAddress> one{literal.value()};
    loop.post([cb = std::move(callback), one]() mutable { cb(std::move(one)); });
    return;
  }
  if (g_resolver_threads.fetch_add(1) >= kMaxResolverThreads) {
    g_resolver_threads.fetch_sub(1);
    loop.post([cb = std::move(callback)]() { cb(make_error(Errc::limit_exceeded, "too many name lookups in flight")); });
    return;
  }
  // getaddrinfo has no cancellation; the thread owns a Poster, which outlives the loop safely.
  Poster poster = loop.poster();
  std::thread([poster, host, port, cb = std::move(callback)]() mutable {
    auto result = blocking_resolve(host, port);
    g_resolver_threads.fetch_sub(1);
    poster.post([cb = std::move(cb), result = std::move(result)]() mutable { cb(std::move(result)); });
  }).detach();
}

}  // namespace zmesh::io
